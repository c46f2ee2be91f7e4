/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-vCPU registers from qemu's QMP monitor (vmtest/qmp.c), for the
 * failure dump.
 */
#ifndef __KTSTR_QMP_H
#define __KTSTR_QMP_H

#include <stddef.h>

struct json;

/*
 * On @fd, a QMP connection qemu opened to us and nobody used yet: the
 * text of "info registers -a" (malloc'd), or NULL with @err set, within
 * @timeout_ms.
 */
char *qmp_registers(int fd, int timeout_ms, char *err, size_t errlen);

/*
 * That text as @key: [ { "cpu": N, "registers": { "RAX": "0x...", ... },
 * "text": the vCPU's lines as qemu printed them } ... ].
 */
void qmp_registers_json(struct json *j, const char *key, const char *text);

#endif /* __KTSTR_QMP_H */
