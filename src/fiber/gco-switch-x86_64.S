/* gco-switch-x86_64.S: fiber context switch for x86_64 (System V ABI)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A context is a stack pointer. Switching pushes what the ABI says a callee
 * must preserve onto the stack being left, saves %rsp, loads the other %rsp
 * and pops the same things back. The frame, from the saved %rsp upwards:
 *
 *    0: MXCSR (4 bytes), x87 control word (2 bytes), 2 unused bytes
 *    8: r15   16: r14   24: r13   32: r12   40: rbx   48: rbp
 *   56: the address to resume at
 *
 * gco__switch_context_init() in gco-switch-private.h builds the same frame
 * for a fiber that has not run yet, resuming at gco__switch_asm_start.
 *
 * Control-flow enforcement: every symbol starts with endbr64 and the object
 * declares IBT in its GNU property note. It does NOT declare shadow stacks
 * (SHSTK): a switch moves to another stack without moving to another shadow
 * stack, so the first `ret` after a switch would fault. Supporting SHSTK
 * would need a shadow stack per fiber and rstorssp/saveprevssp here.
 */

	.text

/* void gco__switch_asm (void **save_sp, void *restore_sp)
 *
 * Returns, on the other stack, to whoever saved @restore_sp. */
	.p2align 4
	.globl	gco__switch_asm
	.hidden	gco__switch_asm
	.type	gco__switch_asm, @function
gco__switch_asm:
	endbr64
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* The floating-point control words (rounding, exception masks) belong
	 * to a fiber, as they belong to a thread. They are always reloaded:
	 * comparing first would read back what stmxcsr just stored, and that
	 * wait costs more than ldmxcsr and fldcw. */
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	/* Not `ret`: the return-stack predictor expects our caller, not the
	 * other context's, so a `ret` here is always mispredicted; an
	 * indirect jump is predicted from its history. `notrack` because the
	 * resume address is a return site, not an endbr64 landing pad. */
	popq	%rcx
	notrack jmpq *%rcx
	.size	gco__switch_asm, .-gco__switch_asm

/* The first code a new fiber runs: %r12 holds the entry function and %r13
 * its argument (from the initial frame), %rsp is 16-byte aligned. The entry
 * never returns: a finished fiber switches away for good. */
	.p2align 4
	.globl	gco__switch_asm_start
	.hidden	gco__switch_asm_start
	.type	gco__switch_asm_start, @function
gco__switch_asm_start:
	.cfi_startproc
	/* The outermost frame of the fiber: unwinders stop here. */
	.cfi_undefined rip
	endbr64
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	gco__switch_asm_start, .-gco__switch_asm_start

/* GNU_PROPERTY_X86_FEATURE_1_AND: IBT (bit 0) only, not SHSTK (bit 1). */
	.section .note.gnu.property, "a"
	.p2align 3
	.long	4			/* name size */
	.long	16			/* descriptor size */
	.long	5			/* NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.long	0xc0000002		/* GNU_PROPERTY_X86_FEATURE_1_AND */
	.long	4			/* data size */
	.long	1			/* GNU_PROPERTY_X86_FEATURE_1_IBT */
	.p2align 3

	.section .note.GNU-stack, "", @progbits
