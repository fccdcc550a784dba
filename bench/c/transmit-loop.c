/*
 * Native floor for `npm run bench`: SCardTransmit in a loop, one context and one card
 * handle reused, timed with CLOCK_MONOTONIC. Prints one per-APDU time per line (µs) so the
 * Node side computes the same statistics for every method. Our own code, MIT.
 *
 * usage: transmit-loop READER_NAME COUNT HEX_APDU
 */
#include <PCSC/winscard.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hex_to_bytes(const char *hex, unsigned char *out, int max) {
  int n = 0;
  while (hex[0] && hex[1] && n < max) {
    unsigned int b;
    if (sscanf(hex, "%2x", &b) != 1) return -1;
    out[n++] = (unsigned char)b;
    hex += 2;
  }
  return n;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s READER COUNT HEX_APDU\n", argv[0]);
    return 2;
  }
  const char *reader = argv[1];
  int count = atoi(argv[2]);
  unsigned char apdu[300];
  int apdu_len = hex_to_bytes(argv[3], apdu, sizeof apdu);
  if (apdu_len < 4) return 2;

  SCARDCONTEXT ctx;
  SCARDHANDLE card;
  DWORD protocol;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
  if (rv != SCARD_S_SUCCESS) { fprintf(stderr, "context: %s\n", pcsc_stringify_error(rv)); return 1; }
  rv = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card, &protocol);
  if (rv != SCARD_S_SUCCESS) { fprintf(stderr, "connect: %s\n", pcsc_stringify_error(rv)); return 1; }
  const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;

  unsigned char response[65538];
  for (int i = 0; i < count; i++) {
    struct timespec a, b;
    DWORD len = sizeof response;
    clock_gettime(CLOCK_MONOTONIC, &a);
    rv = SCardTransmit(card, pci, apdu, (DWORD)apdu_len, NULL, response, &len);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (rv != SCARD_S_SUCCESS || len < 2) { fprintf(stderr, "transmit: %s\n", pcsc_stringify_error(rv)); return 1; }
    printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
  }
  SCardDisconnect(card, SCARD_LEAVE_CARD);
  SCardReleaseContext(ctx);
  return 0;
}
