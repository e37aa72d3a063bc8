// The physical floor for forwarding: CPU per packet for a UDP send plus its receive on loopback, measured with
// getrusage around a tight loop. Payload size and count come from argv. Prints one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int rx;
static long received;
static volatile int done;

static void *receiver(void *arg) {
  (void)arg;
  char buf[2048];
  while (!done) {
    if (recv(rx, buf, sizeof buf, 0) > 0) received++;
  }
  return NULL;
}

static double cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 200000;
  int size = argc > 2 ? atoi(argv[2]) : 1100;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  rx = socket(AF_INET, SOCK_DGRAM, 0);
  int big = 8 << 20;
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bind(rx, (struct sockaddr *)&a, sizeof a);
  socklen_t len = sizeof a;
  getsockname(rx, (struct sockaddr *)&a, &len);
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  char payload[2048];
  memset(payload, 0x5a, sizeof payload);
  pthread_t t;
  pthread_create(&t, NULL, receiver, NULL);
  struct timespec pause = {0, 20000};
  double c0 = cpu();
  for (long i = 0; i < count; i++) {
    sendto(tx, payload, size, 0, (struct sockaddr *)&a, sizeof a);
    if (i % 64 == 63) nanosleep(&pause, NULL); // paced, so the receiver keeps up, as an SFU's would
  }
  usleep(300000);
  done = 1;
  pthread_join(t, NULL);
  double used = cpu() - c0;
  printf("{\"sent\":%ld,\"received\":%ld,\"cpuSeconds\":%.6f,\"usPerPacket\":%.4f}\n", count, received, used, used * 1e6 / (received ? received : 1));
  return 0;
}
