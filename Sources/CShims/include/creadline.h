#pragma once
#include <stdio.h>
#include <readline/readline.h>

/* Puts the terminal behind `in` into readline's single-key mode (no echo,
   no line buffering) without bracketed paste, and also turns off signal
   keys so Ctrl-C arrives as byte 3. Readline's own globals are set here
   rather than from Swift, where mutable C globals are not concurrency-safe. */
static inline void creadline_prepare_terminal(FILE *in, FILE *out) {
    rl_instream = in;
    rl_outstream = out;
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_prep_terminal(0);
}

/* Restores the terminal settings saved by creadline_prepare_terminal. */
static inline void creadline_restore_terminal(void) {
    rl_deprep_terminal();
}
