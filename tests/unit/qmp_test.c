// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU registers qemu's "info registers -a" prints become one JSON
 * object per vCPU: NAME=HEX tokens, padded short names ("R8 =") too, the
 * CPU number from "CPU#N", and QMP answers read over a socket pair the
 * way qemu sends them (greeting, an event in between, the answer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "json.h"
#include "json_read.h"
#include "qmp.h"

static const char regs[] =
	"CPU#0\r\n"
	"RAX=0000000000001eb8 RBX=00007f55f9783070 RCX=0000000000000000 RDX=0000000001d7c2c4\r\n"
	"R8 =00007f55f9b12080 R9 =00007f55f9b12090 R10=00000000000005d0 R11=0000000000000000\r\n"
	"RIP=ffffffff8105ef5c RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\r\n"
	"ES =0000 0000000000000000 ffffffff 00c00000\r\n"
	"CPU#1\r\n"
	"RAX=0000000000000002 RIP=00005596c568c9a3 CPL=3\r\n";

static struct json_val *to_json(const char *text)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_val *v;
	struct json j;

	json_init(&j, f);
	json_open(&j, NULL, '{');
	qmp_registers_json(&j, "vcpus", text);
	json_close(&j, '}');
	fclose(f);
	v = json_parse(buf, err, sizeof(err));
	free(buf);
	return v;
}

TEST(registers_per_vcpu)
{
	struct json_val *v = to_json(regs);
	const struct json_val *cpus, *r0, *r1;
	double cpu = -1;

	ASSERT_NE(NULL, v);
	cpus = json_get(v, "vcpus");
	ASSERT_NE(NULL, cpus);
	ASSERT_EQ(JSON_ARR, cpus->type);
	ASSERT_EQ(2, cpus->nr);
	r0 = json_get(&cpus->kids[0], "registers");
	r1 = json_get(&cpus->kids[1], "registers");
	EXPECT_STREQ("0xffffffff8105ef5c", json_get_str(r0, "RIP"));
	EXPECT_STREQ("0x00007f55f9b12080", json_get_str(r0, "R8"));
	EXPECT_STREQ("0x00007f55f9b12090", json_get_str(r0, "R9"));
	EXPECT_STREQ("0x00000246", json_get_str(r0, "RFL"));
	EXPECT_STREQ("0x1", json_get_str(r0, "HLT"));
	EXPECT_STREQ("0x00005596c568c9a3", json_get_str(r1, "RIP"));
	EXPECT_STREQ("0x3", json_get_str(r1, "CPL"));
	json_get_num(&cpus->kids[1], "cpu", &cpu);
	EXPECT_EQ(1, (int)cpu);
	EXPECT_NE(NULL, strstr(json_get_str(&cpus->kids[0], "text"), "R8 =00007f55f9b12080"));
	json_free(v);
}

TEST(no_cpu_blocks)
{
	struct json_val *v = to_json("garbage A=1 =2 B= C=zz\n");

	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, json_get(v, "vcpus")->nr);
	json_free(v);
}

/* qemu's side of the conversation, written before we ask */
TEST(qmp_conversation)
{
	static const char qemu[] =
		"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n"
		"{\"return\": {}}\r\n"
		"{\"timestamp\": {}, \"event\": \"RESUME\"}\r\n"
		"{\"return\": \"CPU#0\\r\\nRIP=0000000000000001\\r\\n\"}\r\n";
	char err[160] = "", *text;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ((ssize_t)strlen(qemu), write(sv[1], qemu, strlen(qemu)));
	text = qmp_registers(sv[0], 2000, err, sizeof(err));
	ASSERT_NE(NULL, text) TH_LOG("%s", err);
	EXPECT_STREQ("CPU#0\r\nRIP=0000000000000001\r\n", text);
	free(text);
	close(sv[0]);
	close(sv[1]);
}

/* a qemu that never answers: an error within the timeout, not a hang */
TEST(qmp_silent)
{
	char err[160] = "";
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	EXPECT_EQ(NULL, qmp_registers(sv[0], 200, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "greeting"));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
