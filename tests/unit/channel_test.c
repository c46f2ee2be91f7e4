// SPDX-License-Identifier: GPL-2.0
/*
 * The channel's outgoing queue: frames without payload (CH_GO, given
 * NULL) and payloads split over several frames.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "channel.h"

/* a frame without payload from NULL: a bare header (UBSan: no p + 0) */
TEST(empty_frame_from_null)
{
	struct channel_tx tx = { 0 };

	ASSERT_EQ(0, channel_tx_queue(&tx, CH_GO, NULL, 0));
	ASSERT_EQ(sizeof(struct channel_hdr), channel_tx_pending(&tx));
	EXPECT_EQ(CH_GO, tx.buf[0]);
	EXPECT_EQ(0, tx.buf[2]);
	EXPECT_EQ(0, tx.buf[3]);
	channel_tx_free(&tx);
}

TEST(long_payload_in_frames)
{
	static char payload[CHANNEL_MAX_PAYLOAD + 10];
	struct channel_tx tx = { 0 };

	memset(payload, 'x', sizeof(payload));
	ASSERT_EQ(0, channel_tx_queue(&tx, CH_STDOUT, payload,
				      sizeof(payload)));
	EXPECT_EQ(sizeof(payload) + 2 * sizeof(struct channel_hdr),
		  channel_tx_pending(&tx));
	channel_tx_free(&tx);
}

TEST_HARNESS_MAIN
