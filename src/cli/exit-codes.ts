/** With --fail-on, findings that severe exist (SPEC section 8). */
export const EXIT_FINDINGS = 1;

/** Bad usage or bad input: nothing was done. */
export const EXIT_USAGE = 2;
