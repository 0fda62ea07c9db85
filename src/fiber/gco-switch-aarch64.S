/* gco-switch-aarch64.S: fiber context switch for aarch64 (AAPCS64)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A context is a stack pointer. Switching stores what the ABI says a callee
 * must preserve on the stack being left, saves sp, loads the other sp and
 * loads the same things back. The 176-byte frame, from the saved sp upwards:
 *
 *     0: x19 x20   16: x21 x22   32: x23 x24   48: x25 x26   64: x27 x28
 *    80: x29 x30 (frame pointer, the address to resume at)
 *    96: d8 d9    112: d10 d11  128: d12 d13  144: d14 d15
 *   160: fpcr     168: padding
 *
 * gco__switch_context_init() in gco-switch-private.h builds the same frame
 * for a fiber that has not run yet, resuming at gco__switch_asm_start.
 *
 * Resuming uses `ret`, unlike x86_64's `pop; jmp`: with BTI, an indirect
 * `br` may only land on a `bti j` instruction, and the return site of a
 * `bl` has none; `ret` is not checked. The cost is one mispredicted return
 * per switch.
 *
 * Every symbol starts with `bti c` and the object declares BTI in its GNU
 * property note. It does not declare PAC: nothing here signs x30; the C
 * callers sign and authenticate their own return addresses around the call.
 */

	.text

/* void gco__switch_asm (void **save_sp, void *restore_sp) */
	.p2align 4
	.globl	gco__switch_asm
	.hidden	gco__switch_asm
	.type	gco__switch_asm, %function
gco__switch_asm:
	bti	c
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	/* The floating-point control register (rounding, flush-to-zero)
	 * belongs to a fiber, as it belongs to a thread. */
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x10, sp
	str	x10, [x0]

	mov	sp, x1
	/* Writing fpcr is slow on many cores, and in practice it rarely
	 * differs between fibers. */
	ldr	x10, [sp, #160]
	cmp	x9, x10
	b.eq	1f
	msr	fpcr, x10
1:
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.size	gco__switch_asm, .-gco__switch_asm

/* The first code a new fiber runs: x19 holds the entry function and x20 its
 * argument (from the initial frame), sp is 16-byte aligned. The entry never
 * returns: a finished fiber switches away for good. */
	.p2align 4
	.globl	gco__switch_asm_start
	.hidden	gco__switch_asm_start
	.type	gco__switch_asm_start, %function
gco__switch_asm_start:
	.cfi_startproc
	/* The outermost frame of the fiber: unwinders stop here. */
	.cfi_undefined x30
	bti	c
	mov	x0, x20
	blr	x19
	brk	#0x1
	.cfi_endproc
	.size	gco__switch_asm_start, .-gco__switch_asm_start

/* GNU_PROPERTY_AARCH64_FEATURE_1_AND: BTI (bit 0), not PAC (bit 1). */
	.section .note.gnu.property, "a"
	.p2align 3
	.word	4			/* name size */
	.word	16			/* descriptor size */
	.word	5			/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.word	0xc0000000		/* GNU_PROPERTY_AARCH64_FEATURE_1_AND */
	.word	4			/* data size */
	.word	1			/* GNU_PROPERTY_AARCH64_FEATURE_1_BTI */
	.word	0			/* padding to 8 bytes */

	.section .note.GNU-stack, "", %progbits
