// The floor for an SFU's plain-RTP forwarding at a given fan-out: the least a program can do to forward the same
// packets to the same number of consumers. One relay thread waits on one socket per camera (epoll, as libuv
// does), and sends every packet it receives to each consumer of that camera through that consumer's own socket
// (an SFU has one transport, so one socket, per consumer) to the benchmark's sink sockets. A second thread
// replays the captured packets into the camera sockets at the measured input rate; only the relay thread's CPU
// (CLOCK_THREAD_CPUTIME_ID) is counted, as only the mediasoup worker's CPU is counted on the other side.
//
// argv: capture-file consumers cameras input-packets-per-second seconds sink-port[,sink-port...]
// capture file: [uint16 little-endian length][bytes] repeated. Prints one JSON line.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PKTS 20000

static unsigned char *pkts[MAX_PKTS];
static int lens[MAX_PKTS];
static int npkts;
static int cameras, consumers, nsinks;
static double inputPps, seconds;
static int *camIn;           // camera input sockets (relay side)
static struct sockaddr_in *camAddr;
static int *consumerSock;    // one socket per consumer
static struct sockaddr_in *sinkAddr;
static volatile int stop;
static long sent, relayed;

static double now(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *replay(void *arg) {
  (void)arg;
  int tx = socket(AF_INET, SOCK_DGRAM, 0);
  double t0 = now(CLOCK_MONOTONIC);
  long i = 0;
  while (now(CLOCK_MONOTONIC) - t0 < seconds) {
    // Paced like real cameras: packet i is due at t0 + i / rate.
    double due = t0 + i / inputPps;
    double wait = due - now(CLOCK_MONOTONIC);
    if (wait > 0) {
      struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
      nanosleep(&ts, NULL);
    }
    int p = (int)(i % npkts);
    sendto(tx, pkts[p], lens[p], 0, (struct sockaddr *)&camAddr[i % cameras], sizeof camAddr[0]);
    i++;
  }
  sent = i;
  usleep(200000);
  stop = 1;
  close(tx);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: capture consumers cameras pps seconds sinkports\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 2;
  unsigned char hdr[2];
  while (npkts < MAX_PKTS && fread(hdr, 1, 2, f) == 2) {
    int len = hdr[0] | (hdr[1] << 8);
    pkts[npkts] = malloc(len);
    if (fread(pkts[npkts], 1, len, f) != (size_t)len) break;
    lens[npkts++] = len;
  }
  fclose(f);
  if (npkts == 0) return 2;
  consumers = atoi(argv[2]);
  cameras = atoi(argv[3]);
  inputPps = atof(argv[4]);
  seconds = atof(argv[5]);
  sinkAddr = calloc(64, sizeof *sinkAddr);
  for (char *tok = strtok(argv[6], ","); tok && nsinks < 64; tok = strtok(NULL, ",")) {
    sinkAddr[nsinks].sin_family = AF_INET;
    sinkAddr[nsinks].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sinkAddr[nsinks++].sin_port = htons(atoi(tok));
  }
  int ep = epoll_create1(0);
  camIn = calloc(cameras, sizeof *camIn);
  camAddr = calloc(cameras, sizeof *camAddr);
  for (int c = 0; c < cameras; c++) {
    camIn[c] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int big = 4 << 20;
    setsockopt(camIn[c], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    camAddr[c].sin_family = AF_INET;
    camAddr[c].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(camIn[c], (struct sockaddr *)&camAddr[c], sizeof camAddr[c]);
    socklen_t l = sizeof camAddr[c];
    getsockname(camIn[c], (struct sockaddr *)&camAddr[c], &l);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
    epoll_ctl(ep, EPOLL_CTL_ADD, camIn[c], &ev);
  }
  consumerSock = calloc(consumers, sizeof *consumerSock);
  for (int j = 0; j < consumers; j++) {
    consumerSock[j] = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(consumerSock[j], (struct sockaddr *)&a, sizeof a);
  }
  pthread_t t;
  pthread_create(&t, NULL, replay, NULL);
  double c0 = now(CLOCK_THREAD_CPUTIME_ID);
  unsigned char buf[2048];
  struct epoll_event evs[64];
  while (!stop) {
    int n = epoll_wait(ep, evs, 64, 50);
    for (int e = 0; e < n; e++) {
      int c = (int)evs[e].data.u32;
      for (;;) {
        ssize_t len = recv(camIn[c], buf, sizeof buf, 0);
        if (len <= 0) break;
        // Consumer j forwards camera j % cameras to sink j % sinks, exactly as the benchmark wires mediasoup.
        for (int j = c; j < consumers; j += cameras) {
          if (sendto(consumerSock[j], buf, (size_t)len, 0, (struct sockaddr *)&sinkAddr[j % nsinks], sizeof sinkAddr[0]) > 0) relayed++;
        }
      }
    }
  }
  double used = now(CLOCK_THREAD_CPUTIME_ID) - c0;
  pthread_join(t, NULL);
  printf("{\"input\":%ld,\"relayed\":%ld,\"cpuSeconds\":%.6f,\"usPerPacket\":%.4f}\n", sent, relayed, used, used * 1e6 / (relayed ? relayed : 1));
  return 0;
}
