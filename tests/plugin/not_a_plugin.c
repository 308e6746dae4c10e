/* A shared object that is not a libsbi plugin (no sbi_plugin_describe). */
int not_a_plugin_answer(void);
int not_a_plugin_answer(void) { return 42; }
