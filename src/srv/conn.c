/*
 * conn: one client connection, Gemini over TLS or Gopher over TCP.
 *
 * Life of a connection: read until the request line is complete (one
 * deadline covers handshake and request), answer it in one go (a TLS
 * reply larger than REPLY_PIECE a piece at a time while the worker has
 * other connections, each piece queued once the one before has left), wait for
 * the output to drain, then close properly: for TLS, close_notify first
 * (libevent has no call for it, so SSL_shutdown is called here on the
 * drained connection), then the close. When the client has sent bytes we
 * have not read, the close would answer them with a reset that could
 * destroy the reply: then a half-close and a short wait for the client's
 * own close instead (conn_close()). A Gopher connection whose selector
 * is already there when it is accepted (listen.c defers the accept until
 * the first bytes) is read, answered and closed within that turn of the
 * loop, on the bare socket: no bufferevent, no event (gopher_start()).
 *
 * On a listener behind a load balancer (proxy_protocol), a PROXY header
 * comes first: it is read off the raw socket (C_PROXY) before any of the
 * above, under the same deadline, and gives the client's address.
 *
 * A Gemini connection whose client's first TLS record (its ClientHello) is
 * not all there yet waits for it in the kernel (C_HELLO, hellowait.h),
 * under the same deadline: a client trickling its ClientHello a byte at a
 * time wakes the loop once or twice, not once a byte.
 *
 * A Gemini client whose handshake comes after others' (admission.h: likely
 * refused, not known, or one more connection of an address) waits its turn
 * on the raw socket (C_QUEUED), holding no TLS state, until the loop has
 * nothing more urgent to do, and while the server is overloaded
 * (shed_late()) one per run of the loop's delay probe (every 5 ms) at
 * most: a backlog of such handshakes, as a flood's first moments leave, is
 * not worked off in one go at the expense of the readers', whose requests
 * would wait for the CPU it takes. Those of clients likely refused or not
 * known, and of an address with many connections open, are also paced by
 * the loop's lateness (shed.h: limits_conn_paced(), shed_turn_ready()):
 * they get what the readers leave of the loop. At its turn it is judged again,
 * as the requests of its address answered meanwhile tell more (one refused for
 * an image makes the others from that address refusable before their
 * handshake), and only then does its handshake start. Turns come oldest
 * first; while the server is overloaded, newest first (adaptive LIFO): the
 * newest client is the likeliest to be still waiting, and the oldest may
 * wait until the request timeout closes them, a refusal too. One whose
 * client has gone meanwhile (or sent its ClientHello and the end of its
 * stream) is closed at its turn without a handshake. When every
 * connection slot is taken (max_connections), a client known to read pages
 * takes the slot of the oldest connection whose handshake has not started,
 * queued so or not (conn_accept()): a flood of new clients cannot lock the
 * readers out.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "gemini.h"
#include "hellowait.h"
#include "log.h"
#include "proxyread.h"
#include "route.h"
#include "worker.h"

#define LINE_MAX_BYTES 1024
#define READ_HIGH_WATER 4096
#define LINGER_SEC 2
#define MAX_SINGLE_WRITE (1024 * 1024)
/* Bytes of a TLS reply queued at a time (response_piece()): encrypting and
 * writing a 1 MB image at once holds the loop for milliseconds, and every
 * page due meanwhile with it; piece by piece, the next piece is queued
 * from an event at the priority of handshakes (worker.h), so that the
 * requests of established connections go first and new handshakes take
 * turns with it. One piece costs the loop about what a handshake does. */
#define REPLY_PIECE (64 * 1024)

/* C_PROXY: reading the PROXY protocol header, before TLS or the selector;
 * C_HELLO: waiting for the client's first TLS record to be whole;
 * C_QUEUED: waiting for its turn to start the TLS handshake. */
enum conn_state { C_PROXY, C_HELLO, C_QUEUED, C_REQUEST, C_REPLY, C_CLOSING };

struct conn {
	struct conn *prev, *next;
	struct worker *w;
	struct gen *gen;
	struct bufferevent *bev;
	/* A plain bufferevent without a socket, kept from an earlier Gopher
	 * connection of this record for the next one. */
	struct bufferevent *spare_bev;
	SSL *ssl; /* NULL for Gopher */
	int fd;
	enum listen_proto proto;
	enum conn_state state;
	struct sockaddr_storage addr;
	struct timespec start;
	struct gemini_request req;
	struct response resp;
	struct buf log_host; /* host as requested, for the log */
	struct buf log_path; /* Gopher selector, for the log */
	/* The handshake and the request line share one deadline: libevent
	 * restarts its read timeout after every read, which would let a
	 * client sending a byte now and then hold the connection for ever. */
	struct event *deadline;
	bool logged;
	/* The last read took all the client had sent, up to the end of its
	 * request line: no unread bytes can make the close a reset. */
	bool read_all;
	struct event *raw_ev; /* in C_PROXY and C_HELLO only */
	/* A TLS reply larger than a piece: the bytes of its body and file
	 * queued so far, the file's segment once one is queued (owned), and
	 * the event that queues the next piece. */
	size_t queued;
	struct evbuffer_file_segment *seg;
	struct event *more;
	struct conn *qprev, *qnext; /* in w->queued_*, in C_QUEUED only */
	struct proxy_reader *proxy;
	struct limits_ticket lt; /* admission control (admission.h) */
};

static double
ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) * 1e3 +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void on_deadline(evutil_socket_t fd, short what, void *arg);
static void on_more(evutil_socket_t fd, short what, void *arg);

/* The connection is still on its raw socket: no TLS, no bufferevent. */
static bool
before_tls(const struct conn *c)
{
	return c->state == C_PROXY || c->state == C_HELLO ||
	    c->state == C_QUEUED;
}

static struct conn *
conn_get(struct worker *w)
{
	struct conn *c = w->free_list;

	if (c) {
		w->free_list = c->next;
		w->n_free--;
	} else {
		c = xcalloc(1, sizeof(*c));
		gemini_request_init(&c->req);
		response_init(&c->resp);
		buf_init(&c->log_host);
		buf_init(&c->log_path);
		c->deadline = evtimer_new(w->base, on_deadline, c);
		c->more = event_new(w->base, -1, 0, on_more, c);
		if (c->more)
			event_priority_set(c->more, PRIO_EV_DEFAULT);
		c->fd = -1;
		c->state = C_CLOSING;
	}
	c->w = w;
	c->prev = NULL;
	c->next = w->active;
	if (w->active)
		w->active->prev = c;
	w->active = c;
	w->n_active++;
	if (w->n_active > w->peak_active)
		w->peak_active = w->n_active;
	worker_probe_wake(w);
	return c;
}

static void
log_request(struct conn *c)
{
	struct access_entry e;
	const struct buf *path =
	    c->proto == PROTO_GEMINI ? &c->req.path : &c->log_path;

	if (c->logged || c->resp.status == 0)
		return;
	c->logged = true;
	e = (struct access_entry){(const struct sockaddr *)&c->addr,
	    c->log_host.data, c->log_host.len, path->data, path->len,
	    c->resp.status, response_size(&c->resp), ms_since(&c->start)};
	if (c->gen->log_fd >= 0 &&
	    accesslog_add(&c->w->log, c->gen->conf.log_client_address,
		c->gen->conf.access_log_format, &e))
		accesslog_flush(&c->w->log, c->gen->log_fd);
}

static void
raw_end(struct conn *c)
{
	if (c->raw_ev)
		event_free(c->raw_ev);
	c->raw_ev = NULL;
	free(c->proxy);
	c->proxy = NULL;
}

/* Take the socket off a plain bufferevent, close it, empty the buffers
 * (a file left in the output is closed with it), and keep the bufferevent
 * for the record's next Gopher connection: a new one per connection would
 * cost its allocations, and its freeing a deferred callback and another
 * poll of the loop. */
static void
keep_bev(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);

	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	bufferevent_setfd(c->bev, -1); /* also thaws both buffers */
	close(c->fd);
	evbuffer_drain(in, evbuffer_get_length(in));
	evbuffer_drain(out, evbuffer_get_length(out));
	c->spare_bev = c->bev;
}

static void
unqueue(struct conn *c)
{
	struct worker *w = c->w;

	if (c->qprev == NULL && w->queued_head != c)
		return; /* not linked */
	if (c->qprev)
		c->qprev->qnext = c->qnext;
	else
		w->queued_head = c->qnext;
	if (c->qnext)
		c->qnext->qprev = c->qprev;
	else
		w->queued_tail = c->qprev;
	c->qprev = c->qnext = NULL;
}

static void
record_free(struct conn *c)
{
	gemini_request_free(&c->req);
	response_free(&c->resp);
	buf_free(&c->log_host);
	buf_free(&c->log_path);
	event_free(c->deadline);
	if (c->more)
		event_free(c->more);
	if (c->spare_bev)
		bufferevent_free(c->spare_bev);
	free(c);
}

static void
conn_free(struct conn *c)
{
	struct worker *w = c->w;

	log_request(c);
	if (c->state == C_HELLO)
		limits_conn_no_hello(&w->lw);
	limits_conn_close(w->limits, &w->lw, &c->lt, worker_now());
	evtimer_del(c->deadline);
	if (c->more)
		event_del(c->more);
	if (before_tls(c)) {
		unqueue(c);
		raw_end(c);
	}
	if (c->bev && c->ssl == NULL)
		keep_bev(c);
	else if (c->bev)
		bufferevent_free(c->bev); /* closes the socket, frees ssl */
	else if (c->fd >= 0)
		close(c->fd); /* no bufferevent owns it */
	c->bev = NULL;
	c->ssl = NULL;
	if (c->seg)
		evbuffer_file_segment_free(c->seg);
	c->seg = NULL;
	c->queued = 0;
	if (c->resp.file_fd >= 0)
		close(c->resp.file_fd);
	buf_reset(&c->resp.head);
	c->resp.body = NULL;
	c->resp.body_len = 0;
	c->resp.file_fd = -1;
	c->resp.file_len = 0;
	c->resp.status = 0;
	c->logged = false;
	c->read_all = false;
	buf_reset(&c->log_host);
	buf_reset(&c->log_path);
	buf_reset(&c->req.path);
	gen_unref(c->gen);
	c->gen = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		w->active = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->n_active--;
	/* A connection refused on accept frees its record before setting
	 * any of this: it must not close the descriptor of the record's
	 * previous connection (by now another's), nor 0 for a new record. */
	c->fd = -1;
	c->state = C_CLOSING;
	/* Keep a bounded pool: a burst must not pin its memory forever. */
	if (w->n_free < 1024) {
		c->next = w->free_list;
		w->free_list = c;
		w->n_free++;
	} else {
		record_free(c);
	}
	worker_conn_done(w);
}

static void
linger_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

static void
linger_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev, (void)what;
	conn_free(arg);
}

/* FIN, then wait a little for the client to close its side. */
static void
conn_linger(struct conn *c)
{
	struct timeval linger = {LINGER_SEC, 0};

	shutdown(c->fd, SHUT_WR);
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_setcb(c->bev, linger_read, NULL, linger_event, c);
	bufferevent_set_timeouts(c->bev, &linger, NULL);
	bufferevent_enable(c->bev, EV_READ);
}

/*
 * The reply is in the kernel (and the close_notify after it): close now,
 * unless the client has sent bytes still unread in the socket. A close
 * sends what the socket holds, then a FIN; only unread bytes, or bytes
 * arriving after the close, make the kernel answer with a reset, which
 * can destroy a reply the client has not read yet. A Gemini or Gopher
 * client sends nothing after its request until it has read the reply to
 * the end (its own close_notify answers ours), so the common case closes
 * at once, as other servers do; a client with more bytes in flight (an
 * over-long line, a pipelined request) gets the lingering close.
 */
static bool gopher_bev(struct conn *c);

static void
conn_close(struct conn *c)
{
	int unread = 0;

	if (c->read_all ||
	    (ioctl(c->fd, FIONREAD, &unread) == 0 && unread == 0))
		conn_free(c);
	else if (c->bev || gopher_bev(c))
		conn_linger(c);
}

/* Send the close_notify. True when the socket is full and it has to be
 * tried again once writable. Failures leave nothing in this thread's
 * OpenSSL error queue, which the next connection would otherwise see. */
static bool
close_notify_blocked(struct conn *c)
{
	int r = SSL_shutdown(c->ssl);

	if (r >= 0)
		return false;
	r = SSL_get_error(c->ssl, r);
	ERR_clear_error();
	return r == SSL_ERROR_WANT_WRITE;
}

/* The socket has room for the close_notify again, or time is up. */
static void
on_shutdown_writable(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (!(what & EV_TIMEOUT) && close_notify_blocked(c)) {
		struct timeval linger = {LINGER_SEC, 0};
		event_add(c->deadline, &linger);
		return;
	}
	conn_close(c);
}

/* After the reply has drained: close_notify (TLS), then FIN. The reply is
 * all in the kernel, so SSL_shutdown writes the alert straight to the
 * socket; when the socket buffer is full (a slow reader of a large file)
 * it is retried once the socket is writable, for a bounded time. */
static void
conn_finish(struct conn *c)
{
	struct timeval linger = {LINGER_SEC, 0};

	log_request(c);
	/* The reply is in the kernel's hands: the request is no longer in
	 * flight, and its latency is what the concurrency limit learns. */
	limits_done(&c->w->lw, &c->lt, true, worker_now());
	c->state = C_CLOSING;
	evtimer_del(c->deadline);
	if (c->ssl && SSL_is_init_finished(c->ssl) && close_notify_blocked(c)) {
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
		event_assign(c->deadline, c->w->base, c->fd, EV_WRITE,
		    on_shutdown_writable, c);
		event_add(c->deadline, &linger);
		return;
	}
	conn_close(c);
}

/* What a piece of a TLS reply may hold: a piece while other connections
 * of the worker may be waiting for the loop; the whole rest when it is the
 * worker's only one (pieces would cost it a tenth more CPU for nothing:
 * 200 KB images, server_bench at concurrency 1) or there is no event to
 * queue the next piece. */
static size_t
piece_most(const struct conn *c)
{
	return c->more && c->w->n_active > 1 ? REPLY_PIECE : SIZE_MAX;
}

/* Pieces of c's TLS reply are left to queue. */
static bool
pieces_left(const struct conn *c)
{
	struct response_piece p;

	return c->ssl && response_piece(&c->resp, c->queued, piece_most(c), &p);
}

/* Queue the next piece of c's TLS reply (REPLY_PIECE): 0, or -1 when its
 * file cannot be read (the connection is to be closed). */
static int
queue_piece(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct response_piece p;

	if (!response_piece(&c->resp, c->queued, piece_most(c), &p))
		return 0;
	if (p.mem) {
		evbuffer_add_reference(out, p.mem, p.len, NULL, NULL);
	} else {
		if (c->seg == NULL)
			c->seg = evbuffer_file_segment_new(
			    c->resp.file_fd, 0, c->resp.file_len, 0);
		if (c->seg == NULL ||
		    evbuffer_add_file_segment(
			out, c->seg, p.offset, (ev_off_t)p.len) == -1)
			return -1;
	}
	c->queued += p.len;
	return 0;
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state != C_REPLY ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (pieces_left(c))
		event_active(c->more, EV_TIMEOUT, 0);
	else
		conn_finish(c);
}

static void on_gemini_read(struct bufferevent *bev, void *arg);

/*
 * With read-ahead (tls.c), the read that brought the client's Finished
 * may have brought the request too: it waits, still encrypted, in
 * OpenSSL's buffer, the socket has nothing more to signal, and
 * bufferevent_openssl reads only on a socket event. Move it to the input buffer
 * and parse it now. A partial record stays for the socket event that completes
 * it.
 */
static void
read_pending(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec v;
	int n;

	while (SSL_has_pending(c->ssl) &&
	    evbuffer_get_length(in) <= LINE_MAX_BYTES + 2 &&
	    evbuffer_reserve_space(in, LINE_MAX_BYTES + 2, &v, 1) == 1) {
		n = SSL_read(c->ssl, v.iov_base, (int)v.iov_len);
		if (n <= 0) {
			/* Want more bytes, or the client closed: the
			 * socket event or the deadline takes it from here,
			 * with nothing left in this thread's error queue. */
			ERR_clear_error();
			break;
		}
		v.iov_len = (size_t)n;
		evbuffer_commit_space(in, &v, 1);
	}
	if (evbuffer_get_length(in) > 0)
		on_gemini_read(c->bev, c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		/* The TLS handshake is done: the request comes before new
		 * handshakes (worker.h). */
		bufferevent_priority_set(bev, PRIO_EV_ESTABLISHED);
		if (c->ssl)
			read_pending(c);
		return;
	}
	conn_free(c);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd, (void)what;
	/* No header for a line that never ended in CRLF (protocols.md). */
	if (c->state == C_REQUEST)
		conn_finish(c);
	else if (before_tls(c))
		conn_free(c);
}

static bool
peer_fingerprint(void *arg, unsigned char fp[32])
{
	struct conn *c = arg;

	return c->ssl && tls_peer_fingerprint(c->ssl, fp);
}

/*
 * bufferevent_openssl writes only once the loop has seen the socket
 * writable, a turn later. Do what its write callback would do, now: each
 * chunk of the output through SSL_write, as far as the socket takes it.
 * After SSL_ERROR_WANT_WRITE, OpenSSL must be called again with the same
 * chunk, which is what the bufferevent does next: the same first chunk of
 * its output, cut at the same max_single_write. Errors are left for it to
 * meet and report; nothing stays in this thread's OpenSSL error queue.
 */
static void
tls_write_now(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec v[8];
	size_t done = 0;
	int i, n, r;

	if (!SSL_is_init_finished(c->ssl))
		return;
	n = evbuffer_peek(out, MAX_SINGLE_WRITE, NULL, v, 8);
	for (i = 0; i < n && i < 8; i++) {
		if (v[i].iov_len == 0)
			continue;
		r = SSL_write(c->ssl, v[i].iov_base, (int)v[i].iov_len);
		if (r <= 0) {
			ERR_clear_error();
			break;
		}
		done += (size_t)r;
	}
	evbuffer_drain(out, done);
}

/* Queue the reply: borrowed memory is referenced, never copied (the
 * generation and c->resp outlive the output buffer). */
static void
send_reply(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (c->resp.head.len)
		evbuffer_add_reference(
		    out, c->resp.head.data, c->resp.head.len, NULL, NULL);
	if (c->ssl) {
		if (queue_piece(c) == -1) {
			conn_free(c);
			return;
		}
	} else {
		if (c->resp.body_len)
			evbuffer_add_reference(
			    out, c->resp.body, c->resp.body_len, NULL, NULL);
		/* The buffer takes the descriptor over. */
		if (c->resp.file_fd >= 0 &&
		    evbuffer_add_file(
			out, c->resp.file_fd, 0, c->resp.file_len) == 0)
			c->resp.file_fd = -1;
	}
	c->state = C_REPLY;
	evtimer_del(c->deadline);
	bufferevent_disable(c->bev, EV_READ);
	/* Write now, in this turn of the loop, rather than asking the loop
	 * for writability first; the bufferevent takes what the socket does
	 * not (or a write error, which it reports). A plain bufferevent
	 * keeps the head of its output frozen outside its own write
	 * callback. */
	if (c->ssl)
		tls_write_now(c);
	else if (evbuffer_get_length(out) > 0) {
		evbuffer_unfreeze(out, 1);
		evbuffer_write_atmost(out, c->fd, MAX_SINGLE_WRITE);
		evbuffer_freeze(out, 1);
	}
	if (evbuffer_get_length(out) == 0 && !pieces_left(c)) {
		conn_finish(c);
		return;
	}
	bufferevent_set_timeouts(c->bev, NULL, &c->gen->write_timeout);
	bufferevent_enable(c->bev, EV_WRITE);
	if (evbuffer_get_length(out) == 0)
		event_active(c->more, EV_TIMEOUT, 0);
}

/* The previous piece of c's TLS reply has left: queue the next one and
 * write it now, as send_reply() does. */
static void
on_more(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd, (void)what;
	if (c->state != C_REPLY)
		return;
	if (queue_piece(c) == -1) {
		conn_free(c);
		return;
	}
	tls_write_now(c);
	on_write(c->bev, c);
}

static void
refuse_gemini(struct conn *c, int status, const char *reason)
{
	gemini_header(&c->resp.head, status, reason, strlen(reason));
	c->resp.status = status;
}

/* A wrong server.hostname is the most common mistake, so 53s are told to
 * the operator, but at most once a second per loop: a flood of them must
 * not turn into a flood of blocking writes to stderr (the access log has
 * every one). */
static void
note_proxy_refusal(const struct slice *host)
{
	static _Thread_local time_t last;
	time_t now = time(NULL);

	if (now == last)
		return;
	last = now;
	log_info("53 for host '%.*s' (not one of ours: check server.hostname)",
	    (int)host->len, host->p);
}

/*
 * Admission control, once the request is parsed and before any file work
 * (admission.h): the size comes from the in-memory store. False when the
 * request is refused: 44 for Gemini, a type 3 line for Gopher, in c->resp.
 */
static bool
admit(struct conn *c, const struct store *st, const char *path, size_t len)
{
	const struct store_entry *e = store_lookup(st, path, len);
	unsigned retry = 1;
	char msg[64];

	if (limits_admit(c->w->limits, &c->w->lw, &c->lt, path, len, e != NULL,
		e ? e->size : 0, worker_now(), &retry) == LIMITS_ADMIT)
		return true;
	if (c->proto == PROTO_GEMINI) {
		snprintf(msg, sizeof(msg), "%u", retry);
		refuse_gemini(c, 44, msg);
	} else {
		snprintf(msg, sizeof(msg),
		    "Server busy: try again in %u seconds", retry);
		gopher_error_menu(&c->resp.head, msg);
		c->resp.status = 44;
	}
	return false;
}

static void
on_gemini_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);
	const struct gen_host *h;
	const char *p;

	if (c->state != C_REQUEST)
		return;
	if (len > LINE_MAX_BYTES + 2)
		len = LINE_MAX_BYTES + 2;
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
	switch (gemini_parse(p, len, &c->gen->gemini_hosts, &c->req)) {
	case GEMINI_NEED_MORE:
		return;
	case GEMINI_REFUSE:
		buf_append(
		    &c->log_host, c->req.host_seen.p, c->req.host_seen.len);
		if (c->req.status == 53)
			note_proxy_refusal(&c->req.host_seen);
		refuse_gemini(c, c->req.status, c->req.reason);
		break;
	case GEMINI_REQUEST:
		buf_append(
		    &c->log_host, c->req.host_seen.p, c->req.host_seen.len);
		h = &c->gen->hosts[c->req.host];
		if (admit(c, h->st, c->req.path.data, c->req.path.len))
			route_gemini(
			    &h->site, &c->req, peer_fingerprint, c, &c->resp);
		break;
	}
	send_reply(c);
}

/* The selector's capsule path decides the priority; a line that does not
 * parse is classified as written (its reply is an error, cheap anyway). */
static bool
gopher_admit(struct conn *c, const char *line, size_t n)
{
	struct gopher_request req;
	const char *reason;

	if (gopher_parse(line, n, &req, &reason) == 0 &&
	    req.kind == GOPHER_PATH)
		return admit(c, c->gen->hosts[0].st, req.path, req.path_len);
	return admit(c, c->gen->hosts[0].st, line, n);
}

/* Handle the selector at p[0..len) (as much of the connection's first
 * bytes as are there): false when its line is not complete yet, else the
 * reply is in c->resp. */
static bool
gopher_line(struct conn *c, const char *p, size_t len)
{
	static const char too_long[] =
	    "3Selector too long\t\terror.host\t1\r\n.\r\n";
	const char *lf;
	size_t n;

	if (len > LINE_MAX_BYTES + 2)
		len = LINE_MAX_BYTES + 2;
	lf = memchr(p, '\n', len);
	if (lf == NULL && len <= LINE_MAX_BYTES + 1)
		return false;
	n = lf ? (size_t)(lf - p) : len;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	buf_append(&c->log_path, p, n < LINE_MAX_BYTES ? n : LINE_MAX_BYTES);
	buf_puts(&c->log_host, c->gen->conf.gopher_host);
	if (lf == NULL || n > LINE_MAX_BYTES) {
		buf_append(&c->resp.head, too_long, sizeof(too_long) - 1);
		c->resp.status = 59;
	} else if (gopher_admit(c, p, n)) {
		gopher_respond(c->gen->gopher, p, n, &c->resp);
	}
	return true;
}

/* Answer the selector once its line is complete in the input buffer.
 * True when it was answered: the connection may be gone by then. */
static bool
gopher_request(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t len = evbuffer_get_length(in);
	const char *p;

	if (c->state != C_REQUEST)
		return false;
	if (len > LINE_MAX_BYTES + 2)
		len = LINE_MAX_BYTES + 2;
	p = (const char *)evbuffer_pullup(in, (ev_ssize_t)len);
	if (!gopher_line(c, p, len))
		return false;
	send_reply(c);
	return true;
}

static void
on_gopher_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	gopher_request(arg);
}

/* A Gopher connection's plain bufferevent (the record's spare one, or a
 * new one) on c->fd. False when none could be made: the connection is
 * gone then. */
static bool
gopher_bev(struct conn *c)
{
	if (c->spare_bev) {
		c->bev = c->spare_bev;
		c->spare_bev = NULL;
		bufferevent_setfd(c->bev, c->fd);
	} else {
		c->bev = bufferevent_socket_new(
		    c->w->base, c->fd, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev == NULL) {
			conn_free(c);
			return false;
		}
	}
	/* No handshake: established at once. */
	bufferevent_priority_set(c->bev, PRIO_EV_ESTABLISHED);
	bufferevent_setcb(c->bev, on_gopher_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH_WATER);
	bufferevent_set_max_single_write(c->bev, MAX_SINGLE_WRITE);
	bufferevent_set_timeouts(c->bev, NULL, &c->gen->write_timeout);
	return true;
}

/* The reply, from memory, straight to the socket in one writev(). Returns
 * the bytes written (0 when the socket took nothing). */
static size_t
gopher_write_raw(struct conn *c)
{
	struct iovec v[2];
	int n = 0;
	ssize_t w;

	if (c->resp.head.len)
		v[n++] = (struct iovec){c->resp.head.data, c->resp.head.len};
	if (c->resp.body_len)
		v[n++] = (struct iovec){
		    (void *)(uintptr_t)c->resp.body, c->resp.body_len};
	do
		w = writev(c->fd, v, n);
	while (w == -1 && errno == EINTR);
	return w > 0 ? (size_t)w : 0;
}

/*
 * A Gopher connection, just accepted. The listening socket defers the
 * accept until the client has sent something (listen.c), so the selector
 * is most often there already: read it off the socket, answer it with one
 * writev() and close, with no bufferevent and no event at all. Otherwise
 * (half a line, nothing yet, a reply the socket does not take at once, a
 * file to stream, a client with more bytes to send) the connection goes
 * on with a bufferevent, given what was read and what is left to write.
 */
static void
gopher_start(struct conn *c)
{
	char first[LINE_MAX_BYTES + 2];
	struct evbuffer *in, *out;
	ssize_t n;
	size_t done = 0, head;

	do
		n = recv(c->fd, first, sizeof(first), 0);
	while (n == -1 && errno == EINTR);
	if (n > 0 && gopher_line(c, first, (size_t)n)) {
		head = c->resp.head.len;
		if (c->resp.file_fd < 0) {
			done = gopher_write_raw(c);
			if (done == head + c->resp.body_len) {
				/* Closed in this turn: a read that did not
				 * fill the buffer and ended with the line
				 * left nothing unread. */
				c->read_all = (size_t)n < sizeof(first) &&
				    memchr(first, '\n', (size_t)n) ==
					first + n - 1;
				c->state = C_REPLY;
				conn_finish(c);
				return;
			}
		}
		if (!gopher_bev(c))
			return;
		/* What the socket did not take, for the bufferevent. */
		out = bufferevent_get_output(c->bev);
		if (done < head)
			evbuffer_add_reference(out, c->resp.head.data + done,
			    head - done, NULL, NULL);
		done = done > head ? done - head : 0;
		if (c->resp.body_len > done)
			evbuffer_add_reference(out, c->resp.body + done,
			    c->resp.body_len - done, NULL, NULL);
		if (c->resp.file_fd >= 0 &&
		    evbuffer_add_file(
			out, c->resp.file_fd, 0, c->resp.file_len) == 0)
			c->resp.file_fd = -1; /* the buffer has it now */
		c->state = C_REPLY;
		evtimer_del(c->deadline);
		bufferevent_enable(c->bev, EV_WRITE);
		return;
	}
	if (!gopher_bev(c))
		return;
	/* Like the output's head, the input's end is frozen outside the
	 * bufferevent's own read callback. */
	in = bufferevent_get_input(c->bev);
	evbuffer_unfreeze(in, 0);
	if (n > 0)
		evbuffer_add(in, first, (size_t)n);
	evbuffer_freeze(in, 0);
	bufferevent_enable(c->bev, EV_READ);
}

/*
 * The server's handshake flight is out (TLS 1.3: through its Finished;
 * TLS 1.2: its ServerHelloDone, or Finished when resumed): the costly part
 * of the handshake is done, and what is left (the client's answer, the
 * request, the reply) is cheap. It goes ahead of new handshakes
 * (worker.h), so that a connection already paid for is not kept waiting
 * behind every handshake queued after it.
 */
static void
on_tls_state(const SSL *ssl, int where, int ret)
{
	struct conn *c = SSL_get_app_data(ssl);
	OSSL_HANDSHAKE_STATE st = SSL_get_state(ssl);
	/* This one replaces the context's (tls.h): call it too. */
	void (*ctx_cb)(const SSL *, int, int) =
	    SSL_CTX_get_info_callback(SSL_get_SSL_CTX(ssl));

	if ((where & SSL_CB_ACCEPT_LOOP) && c && c->bev &&
	    (st == TLS_ST_SW_FINISHED || st == TLS_ST_SW_SRVR_DONE))
		bufferevent_priority_set(c->bev, PRIO_EV_ESTABLISHED);
	if (ctx_cb)
		ctx_cb(ssl, where, ret);
}

/*
 * Set up the TLS or plain stream once the client's address is known:
 * right after accept, or after the PROXY header on a listener behind a
 * load balancer. Decisions by client address (connection caps, rate
 * limits) belong here rather than in conn_accept(), where a proxied
 * connection still shows the balancer's address.
 */
static void
conn_start(struct conn *c)
{
	struct gen *g = c->gen;

	c->state = C_REQUEST;
	if (c->proto == PROTO_GOPHER) {
		gopher_start(c);
		return;
	}
	c->ssl = SSL_new(g->ctx[0]);
	if (c->ssl == NULL) {
		conn_free(c);
		return;
	}
	SSL_set_app_data(c->ssl, c);
	SSL_set_info_callback(c->ssl, on_tls_state);
	c->bev = bufferevent_openssl_socket_new(c->w->base, c->fd, c->ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
		conn_free(c);
		return;
	}
	bufferevent_priority_set(
	    c->bev, c->lt.suspect ? PRIO_EV_SUSPECT : PRIO_EV_DEFAULT);
	bufferevent_setcb(c->bev, on_gemini_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, READ_HIGH_WATER);
	/* libevent writes at most 16 KiB per turn of the loop by default: a
	 * 200 KB image would take a dozen turns, each behind every other
	 * connection's work. Let a turn write what the socket takes. */
	bufferevent_set_max_single_write(c->bev, MAX_SINGLE_WRITE);
	bufferevent_set_timeouts(c->bev, NULL, &g->write_timeout);
	bufferevent_enable(c->bev, EV_READ);
}

void
conn_queue_kick(struct worker *w)
{
	if (w->queued_head)
		event_active(w->turn_ev, EV_TIMEOUT, 0);
}

/* The client of a queued connection has gone (closed, or at least done
 * sending: a ClientHello with nothing more to follow): its handshake would
 * be work for nobody. */
static bool
client_gone(const struct conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLRDHUP};

	return poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* How far conn_turn() looks for a connection whose turn is not paced,
 * when the pacing has no credit left: a bound on the work of a turn. */
#define TURN_LOOK 64

/* The queued connection whose turn it is: the oldest (while overloaded,
 * the newest) that may start now, one whose turn is not paced if the
 * pacing has no credit (shed.h); NULL when none may. *paced tells which. */
static struct conn *
next_turn(struct worker *w, bool overloaded, double now, bool *paced)
{
	struct conn *c = overloaded ? w->queued_tail : w->queued_head;
	int n;

	*paced = false;
	if (shed_turn_ready(&w->lw.shed, now)) {
		*paced = c && limits_conn_paced(w->limits, &w->lw, &c->lt, now);
		return c;
	}
	for (n = 0; c && n < TURN_LOOK; n++) {
		if (!limits_conn_paced(w->limits, &w->lw, &c->lt, now))
			return c;
		c = overloaded ? c->qprev : c->qnext;
	}
	return NULL;
}

void
conn_turn(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	bool overloaded = shed_late(&w->lw.shed), paced;
	struct conn *c = next_turn(w, overloaded, worker_now(), &paced);

	(void)fd, (void)what;
	if (c == NULL)
		return;
	unqueue(c);
	if (client_gone(c)) {
		limits_conn_gone(&w->lw, &c->lt);
		conn_free(c);
		conn_queue_kick(w);
		return;
	}
	if (limits_conn_turn(w->limits, &w->lw, &c->lt, worker_now()) == 0) {
		if (paced)
			limits_conn_paced_turn(&w->lw, &c->lt);
		conn_start(c);
		/* Unless overloaded, the next one gets its turn as soon as
		 * nothing more urgent is left; else at the next probe. */
		if (!overloaded)
			conn_queue_kick(w);
		return;
	}
	/* Refused before any TLS work, which costs next to nothing: the
	 * turn goes on to the next one. */
	conn_free(c);
	conn_queue_kick(w);
}

/* Start the connection, or queue its handshake behind others' (see the
 * top of this file). */
static void
conn_schedule(struct conn *c)
{
	if (c->proto != PROTO_GEMINI || !c->lt.suspect) {
		conn_start(c);
		return;
	}
	/* Not polled: most often its ClientHello is there already (listen.c
	 * defers the accept until it is), and a client that went away is
	 * found out at its turn, or by the deadline. */
	c->state = C_QUEUED;
	c->qprev = c->w->queued_tail;
	c->qnext = NULL;
	if (c->qprev)
		c->qprev->qnext = c;
	else
		c->w->queued_head = c;
	c->w->queued_tail = c;
	/* Unless overloaded, its turn comes once nothing more urgent is
	 * left; else at a probe (conn_queue_kick()). */
	if (!shed_late(&c->w->lw.shed))
		conn_queue_kick(c->w);
}

/* The socket of a connection in C_HELLO is readable: its first TLS record
 * is whole, or its client has left. */
static void
on_hello(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)what;
	switch (hello_wait(fd, true)) {
	case HELLO_WAIT:
		return;
	case HELLO_GONE:
		conn_free(c);
		return;
	case HELLO_READY:
		break;
	}
	raw_end(c);
	conn_schedule(c);
}

/* The client's address is known: a Gemini connection first waits in the
 * kernel for its client's first TLS record (see the top of this file). */
static void
conn_begin(struct conn *c)
{
	if (c->proto == PROTO_GEMINI) {
		switch (hello_wait(c->fd, false)) {
		case HELLO_GONE:
			conn_free(c);
			return;
		case HELLO_WAIT:
			c->state = C_HELLO;
			c->raw_ev = event_new(c->w->base, c->fd,
			    EV_READ | EV_PERSIST, on_hello, c);
			if (c->raw_ev == NULL ||
			    event_add(c->raw_ev, NULL) == -1)
				conn_free(c);
			return;
		case HELLO_READY:
			break;
		}
	}
	conn_schedule(c);
}

/*
 * The PROXY protocol header, read straight from the socket before the TLS
 * handshake or the Gopher selector: from here on the connection's address
 * is the client's, not the load balancer's. A bad header closes it.
 */
static void
on_proxy_read(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct proxy_header hdr;

	(void)what;
	switch (proxy_read(fd, c->proxy, &hdr)) {
	case PROXY_NEED_MORE:
		return;
	case PROXY_BAD:
		conn_free(c);
		return;
	case PROXY_DONE:
		break;
	}
	if (hdr.family != AF_UNSPEC) /* else: a balancer's health check */
		memcpy(&c->addr, &hdr.src, sizeof(c->addr));
	raw_end(c);
	/* Only now is the client known: its per-address limits apply. */
	if (limits_conn_address(c->w->limits, &c->w->lw, &c->lt,
		(struct sockaddr *)&c->addr, sizeof(c->addr),
		worker_now()) == -1) {
		conn_free(c);
		return;
	}
	conn_begin(c);
}

/* A Gemini connection whose client has sent nothing yet, or not yet a
 * whole first record. */
static bool
unstarted(const struct conn *c)
{
	return c->state == C_HELLO ||
	    (c->state == C_REQUEST && c->ssl &&
		SSL_get_state(c->ssl) == TLS_ST_BEFORE);
}

/* The oldest connection whose TLS handshake has not started: queued
 * (oldest first), else one whose client has sent nothing yet (the active
 * list is newest first). NULL when there is none. */
static struct conn *
oldest_unstarted(struct worker *w)
{
	struct conn *c, *found = NULL;

	if (w->queued_head)
		return w->queued_head;
	for (c = w->active; c; c = c->next)
		if (unstarted(c))
			found = c;
	return found;
}

void
conn_accept(struct worker *w, enum listen_proto proto, bool proxy, int fd,
    const struct sockaddr *sa, int salen)
{
	struct conn *c, *victim;
	struct gen *g = w->gen;

	/* Every slot taken: a known reader takes the one of the oldest
	 * connection whose handshake has not started. */
	if (!proxy && limits_conn_full(w->limits) &&
	    limits_conn_preferred(
		w->limits, &w->lw, sa, (socklen_t)salen, worker_now()) &&
	    (victim = oldest_unstarted(w)) != NULL) {
		limits_conn_evict(&w->lw, &victim->lt);
		conn_free(victim);
	}
	c = conn_get(w);
	/* Connection caps: refused before any TLS work, without a word.
	 * Behind a balancer the peer is the balancer: only the total cap
	 * applies until the PROXY header names the client. */
	if (limits_conn_open(w->limits, &w->lw, proxy ? NULL : sa,
		(socklen_t)salen, worker_now(), &c->lt) == -1) {
		close(fd);
		c->gen = g;
		gen_ref(g);
		conn_free(c);
		return;
	}
	gen_ref(g);
	c->gen = g;
	c->fd = fd;
	c->proto = proto;
	memset(&c->addr, 0, sizeof(c->addr));
	memcpy(&c->addr, sa,
	    (size_t)salen < sizeof(c->addr) ? (size_t)salen : sizeof(c->addr));
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	/* One deadline for the PROXY header, the handshake and the request.
	 * The record's timer may have waited on a socket for its previous
	 * connection's close_notify: make it a plain timer again. */
	event_assign(c->deadline, w->base, -1, 0, on_deadline, c);
	evtimer_add(c->deadline, &g->request_timeout);
	if (proxy) {
		c->state = C_PROXY;
		c->proxy = xcalloc(1, sizeof(*c->proxy));
		c->raw_ev = event_new(
		    w->base, fd, EV_READ | EV_PERSIST, on_proxy_read, c);
		if (c->raw_ev == NULL || event_add(c->raw_ev, NULL) == -1)
			conn_free(c);
		return;
	}
	conn_begin(c);
}

void
conn_stop_waiting(struct worker *w)
{
	struct conn *c, *next;

	for (c = w->active; c; c = next) {
		next = c->next;
		if (c->state == C_REQUEST)
			conn_finish(c);
		else if (before_tls(c))
			conn_free(c);
	}
}

void
conn_pool_trim(struct worker *w, size_t keep)
{
	struct conn *c;

	while (w->n_free > keep && (c = w->free_list) != NULL) {
		w->free_list = c->next;
		w->n_free--;
		record_free(c);
	}
}

void
conn_close_all(struct worker *w)
{
	struct conn *c;

	while ((c = w->active) != NULL)
		conn_free(c);
	conn_pool_trim(w, 0);
}
