// SPDX-License-Identifier: GPL-2.0
/*
 * Sanitizer defaults for `make SANITIZE=1` builds: a finding ends the
 * process with SIGABRT, so a case, a unit test or the host tool fails
 * however its caller reads exit codes. The environment still wins
 * (ASAN_OPTIONS, UBSAN_OPTIONS). Compiled in because the guest's
 * environment is the launcher's choice, not the user's shell. Empty in
 * a normal build.
 */
/* make SANITIZE=1, or gcc's -fsanitize=address however it was asked for */
#if defined(KTSTR_SANITIZE) || defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:detect_leaks=1:print_summary=1";
}

const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:print_stacktrace=1";
}

/*
 * Kept for the whole process on purpose, never freed: the host tool's
 * VM options (the --include list, made once per command).
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:vm_opts_init\n";
}
#endif
