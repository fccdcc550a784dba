/*
 * Test-rig shim, loaded into our private pcscd with LD_PRELOAD.
 *
 * The vpcd driver sends each frame's length and payload in two send() calls on a socket
 * without TCP_NODELAY; with the virtual card's delayed ACK, Nagle's algorithm adds ~44 ms
 * to every APDU (docs/research/pcsc-mini-on-linux.md, "Finding 0"). Real USB readers do not
 * go through this path, so the rig removes the artefact by setting TCP_NODELAY on every
 * socket pcscd accepts. Our own code, MIT.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void set_nodelay(int fd) {
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on unix sockets */
  }
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
  static int (*real_accept)(int, struct sockaddr *, socklen_t *);
  if (!real_accept) real_accept = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "accept");
  int s = real_accept(fd, addr, len);
  set_nodelay(s);
  return s;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
  static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
  if (!real_accept4) real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
  int s = real_accept4(fd, addr, len, flags);
  set_nodelay(s);
  return s;
}
