// SPDX-License-Identifier: GPL-2.0
/*
 * file:line of kernel addresses, from the DWARF of the vmlinux they came
 * from, with elfutils' libdwfl (what addr2line -e vmlinux ADDR prints,
 * without running a program).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>

#include "srcline.h"

int srcline_lookup(const char *elf, const unsigned long long *addrs, int n,
		   struct srcline *out)
{
	static const Dwfl_Callbacks cb = {
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	Dwfl_Module *mod;
	Dwfl *dwfl;
	int i, fd;

	for (i = 0; i < n; i++)
		out[i].s[0] = '\0';
	fd = open(elf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dwfl = dwfl_begin(&cb);
	if (!dwfl) {
		close(fd);
		return -1;
	}
	/* libdwfl owns @fd from here: dwfl_end() closes it */
	mod = dwfl_report_offline(dwfl, "vmlinux", elf, fd);
	if (!mod || dwfl_report_end(dwfl, NULL, NULL)) {
		if (!mod)
			close(fd);
		dwfl_end(dwfl);
		return -1;
	}
	for (i = 0; i < n; i++) {
		Dwfl_Line *line = addrs[i] ? dwfl_module_getsrc(mod, addrs[i]) :
				  NULL;
		const char *src;
		int lineno = 0;

		src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL,
					   NULL) : NULL;
		if (src)
			snprintf(out[i].s, SRCLINE_LEN, "%s:%d", src, lineno);
	}
	dwfl_end(dwfl);
	return 0;
}
