/*
 * tcp_fixture: a connected pair of loopback TCP sockets, for the unit
 * tests that need a real socket under the code (TLS, the ClientHello
 * wait).
 *
 * Uses cmocka: a socket that cannot be made fails the test.
 */
#ifndef CANYON_TEST_TCP_FIXTURE_H
#define CANYON_TEST_TCP_FIXTURE_H

/*
 * Connect a new socket to a new listener on 127.0.0.1: *client is the
 * connecting end, *server the accepted one, both blocking and with no
 * option set (each test sets the ones it is about). The caller closes
 * both.
 */
void tcp_fixture_pair(int *client, int *server);

#endif
