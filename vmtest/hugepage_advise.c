// SPDX-License-Identifier: GPL-2.0
/*
 * hugepage_advise.so: preloaded (LD_PRELOAD) into the compilers, linkers
 * and tools of a build by vmtest/with-hugepages. Every private anonymous
 * read-write mapping of 2 MiB or more that a program asks mmap() for is
 * advised MADV_HUGEPAGE. glibc's own mappings (malloc's arenas, thread
 * stacks, the dynamic loader's) do not come through here: the wrapper's
 * glibc.malloc.hugetlb tunable covers malloc's.
 *
 * Why: gcc's cc1 takes its memory from the kernel in 2 MiB mmap()s (its
 * garbage-collected heap), touches a few hundred megabytes per kernel
 * source file, and on a host whose transparent huge pages are "madvise"
 * (the usual distribution default) each 4 KiB page of it is a page
 * fault. In a virtual machine with shadow or paravirtual paging a fault
 * costs microseconds: measured on a 2-CPU cloud guest, a kernel build
 * spent a quarter of its CPU time in the kernel, and with this advice
 * the same build took 763 CPU-seconds instead of 1069 to 1177. The advice
 * changes where memory comes from, never what a program computes: the
 * objects built are byte for byte the same.
 *
 * A reservation (PROT_NONE) is left alone: huge pages there would grow
 * the memory of a program that uses little of it.
 *
 * glibc's own mmap() is called through the raw system call, not looked
 * up with dlsym(): dlsym() may allocate, and malloc() may mmap(), which
 * would come back here before the lookup is done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define HUGEPAGE_SIZE (2UL << 20)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	/* syscall() takes longs: widen as glibc's mmap() does (fd -1) */
	long ret = syscall(SYS_mmap, addr, len, (long)prot, (long)flags,
			   (long)fd, (long)off);
	int saved_errno;

	if (ret == -1)
		return MAP_FAILED;
	if ((flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE &&
	    prot != PROT_NONE && len >= HUGEPAGE_SIZE) {
		/* advice only: a kernel without THP says EINVAL, harmless */
		saved_errno = errno;
		madvise((void *)ret, len, MADV_HUGEPAGE);
		errno = saved_errno;
	}
	return (void *)ret;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}
