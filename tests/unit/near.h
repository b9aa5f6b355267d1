/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by the unit tests (after cmocka.h and math.h). */
#ifndef BC_TEST_NEAR_H
#define BC_TEST_NEAR_H

/* |a - b| <= eps, and fails on NaN; cmocka 1.1.7 has no double assert. */
#define assert_near(a, b, eps)                                                        \
	do {                                                                          \
		double a_ = (a), b_ = (b);                                            \
		if (!(fabs(a_ - b_) <= (eps)))                                        \
			fail_msg("%s = %.17g, expected %.17g (+-%g)", #a, a_, b_,    \
				 (double)(eps));                                     \
	} while (0)

#endif
