/*
 * ao_geocache.c - a bounded, seeded address -> country cache (see
 * ao_geocache.h).
 *
 * Structure: 4-way set-associative, FIFO replacement within a set.
 *
 *   - Direct-mapped (one entry per slot) would be the simplest, but two busy
 *     clients whose hashes share a slot evict each other on every line; with
 *     four ways that takes five busy clients in one set, which at the sizes
 *     we use (thousands of sets) practically never happens by chance, and the
 *     keyed hash stops anybody from arranging it on purpose.
 *   - More ways would cost more compares on every miss, and misses are
 *     frequent here (a scan from many addresses).
 *   - ao_geocache_get() is const (and must stay cheap), so the replacement
 *     policy may not need bookkeeping on a hit: that rules out LRU and CLOCK.
 *     FIFO needs one 2-bit cursor per set, moved only on insertion. A client
 *     that keeps attacking is looked up again after at most four newer
 *     addresses land in its set, which costs one database lookup: fine.
 *   - Memory is one calloc at creation (about 18.5 bytes per entry), never
 *     resized: the bound holds by construction.
 *
 * The set index is the low bits of SipHash-1-3 of the 16 address bytes under
 * a 128-bit key drawn at creation, so the mapping from address to set is
 * unknown to anybody writing log lines.
 *
 * Blocks: an entry holds a key (the address with the bits after its prefix
 * cleared) and the prefix length; the set of a block entry is the hash of
 * that key, so an exact entry (prefix 128) is hashed and placed as before.
 * A lookup tries the family's block lengths from the coarsest: one hash
 * and one set for a client whose provider is already known, at most four
 * on a miss (which then costs a database lookup anyway). Few fixed lengths
 * rather than the record's own netmask keep that number bounded.
 */
#include "ao_geocache.h"
#include "ao_siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* getrandom() is in glibc since 2.25; elsewhere /dev/urandom does. */
#if defined(__linux__) && defined(__GLIBC__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25)
#include <sys/random.h>
#define AO_HAVE_GETRANDOM 1
#endif
#endif

#define AO_GC_WAYS 4
#define AO_GC_MAX_CAPACITY ((size_t)1 << 24)

typedef struct ao_gc_set {
  uint8_t key[AO_GC_WAYS][16];
  ao_country_t cc[AO_GC_WAYS];
  uint8_t bits[AO_GC_WAYS]; /* prefix length of the entry (128: exact) */
  uint8_t used; /* bit w: way w holds an entry */
  uint8_t next; /* FIFO cursor: the way to replace when the set is full */
} ao_gc_set_t;

/* The block lengths entries are kept at, in bits of the 16-byte form,
 * coarsest first, ending with the whole address. */
static const uint8_t ao_gc_levels_v4[] = {96 + 16, 96 + 24, 128};
static const uint8_t ao_gc_levels_v6[] = {32, 48, 64, 128};

struct ao_geocache {
  ao_gc_set_t *sets;
  size_t nsets; /* a power of two */
  size_t mask;  /* nsets - 1 */
  unsigned ways;
  size_t capacity; /* nsets * ways */
  size_t size;
  uint8_t seed[16];
};

static void draw_seed(uint8_t seed[16]);

/* --- the cache ------------------------------------------------------------ */

ao_geocache_t *ao_geocache_create(size_t capacity, const uint8_t seed[16]) {
  if (capacity == 0 || capacity > AO_GC_MAX_CAPACITY)
    return NULL;
  size_t cap = 1;
  while (cap < capacity)
    cap <<= 1;

  ao_geocache_t *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return NULL;
  /* Tiny caches (1 or 2 entries) are one set with that many ways. */
  c->ways = cap < AO_GC_WAYS ? (unsigned)cap : AO_GC_WAYS;
  c->nsets = cap / c->ways;
  c->mask = c->nsets - 1;
  c->capacity = cap;
  c->sets = calloc(c->nsets, sizeof(*c->sets));
  if (c->sets == NULL) {
    free(c);
    return NULL;
  }
  if (seed != NULL)
    memcpy(c->seed, seed, sizeof(c->seed));
  else
    draw_seed(c->seed);
  return c;
}

void ao_geocache_destroy(ao_geocache_t *c) {
  if (c == NULL)
    return;
  free(c->sets);
  free(c);
}

/* The address with every bit after the first `bits` cleared. */
static void block_key(const uint8_t b[16], unsigned bits, uint8_t out[16]) {
  unsigned whole = bits / 8u, rest = bits % 8u;
  memcpy(out, b, whole);
  if (whole < 16) {
    memset(out + whole, 0, 16 - whole);
    if (rest != 0)
      out[whole] = (uint8_t)(b[whole] & (0xffu << (8u - rest)));
  }
}

static ao_gc_set_t *set_of(const ao_geocache_t *c, const uint8_t key[16]) {
  uint64_t h = ao_siphash13(c->seed, key, 16);
  return &c->sets[(size_t)h & c->mask];
}

static int is_mapped(const uint8_t b[16]) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(b, prefix, sizeof(prefix)) == 0;
}

int ao_geocache_get(const ao_geocache_t *c, const ao_ip_t *ip,
                    ao_country_t *out) {
  int v4 = is_mapped(ip->b);
  const uint8_t *levels = v4 ? ao_gc_levels_v4 : ao_gc_levels_v6;
  size_t nlevels = v4 ? sizeof(ao_gc_levels_v4) : sizeof(ao_gc_levels_v6);
  for (size_t l = 0; l < nlevels; l++) {
    uint8_t key[16];
    block_key(ip->b, levels[l], key);
    const ao_gc_set_t *s = set_of(c, key);
    for (unsigned w = 0; w < c->ways; w++) {
      if ((s->used & (1u << w)) && s->bits[w] == levels[l] &&
          memcmp(s->key[w], key, 16) == 0) {
        *out = s->cc[w];
        return 1;
      }
    }
  }
  return 0;
}

int ao_geocache_put(ao_geocache_t *c, const ao_ip_t *ip, ao_country_t cc) {
  return ao_geocache_put_net(c, ip, 128, cc);
}

int ao_geocache_put_net(ao_geocache_t *c, const ao_ip_t *ip, unsigned bits,
                        ao_country_t cc) {
  int v4 = is_mapped(ip->b);
  const uint8_t *levels = v4 ? ao_gc_levels_v4 : ao_gc_levels_v6;
  size_t nlevels = v4 ? sizeof(ao_gc_levels_v4) : sizeof(ao_gc_levels_v6);
  /* the coarsest block inside the network: a block with a shorter prefix
   * than the network's would hold addresses outside it */
  size_t l = 0;
  while (l + 1 < nlevels && levels[l] < bits)
    l++;
  unsigned level = levels[l];
  uint8_t key[16];
  block_key(ip->b, level, key);
  ao_gc_set_t *s = set_of(c, key);
  unsigned free_way = c->ways;
  for (unsigned w = 0; w < c->ways; w++) {
    if (!(s->used & (1u << w))) {
      if (free_way == c->ways)
        free_way = w;
    } else if (s->bits[w] == level && memcmp(s->key[w], key, 16) == 0) {
      s->cc[w] = cc; /* already cached: refresh the answer in place */
      return 0;
    }
  }
  unsigned w = free_way;
  int evicted = 0;
  if (w == c->ways) {
    /* Full set: evict in insertion order. */
    w = s->next;
    s->next = (uint8_t)((s->next + 1u) % c->ways);
    evicted = 1;
  } else {
    s->used |= (uint8_t)(1u << w);
    c->size++;
  }
  memcpy(s->key[w], key, 16);
  s->bits[w] = (uint8_t)level;
  s->cc[w] = cc;
  return evicted;
}

void ao_geocache_flush(ao_geocache_t *c) {
  memset(c->sets, 0, c->nsets * sizeof(*c->sets));
  c->size = 0;
}

size_t ao_geocache_capacity(const ao_geocache_t *c) { return c->capacity; }

size_t ao_geocache_size(const ao_geocache_t *c) { return c->size; }

/* --- seeding ----------------------------------------------------------------
 * The seed only has to be unpredictable to whoever writes the logs; it is
 * not a long-term secret. getrandom() first; /dev/urandom when the syscall
 * is missing (old kernels, seccomp); as a last resort clocks, the pid and
 * an address, mixed through SipHash, which is weak but never fails. */

static void draw_seed(uint8_t seed[16]) {
  size_t got = 0;
#ifdef AO_HAVE_GETRANDOM
  while (got < 16) {
    ssize_t n = getrandom(seed + got, 16 - got, GRND_NONBLOCK);
    if (n > 0)
      got += (size_t)n;
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
#endif
  if (got < 16) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      while (got < 16) {
        ssize_t n = read(fd, seed + got, 16 - got);
        if (n > 0)
          got += (size_t)n;
        else if (n < 0 && errno == EINTR)
          continue;
        else
          break;
      }
      close(fd);
    }
  }
  if (got < 16) {
    struct timespec mono = {0, 0}, wall = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &wall);
    uint64_t mix[5] = {(uint64_t)mono.tv_sec, (uint64_t)mono.tv_nsec,
                       (uint64_t)wall.tv_sec, (uint64_t)wall.tv_nsec,
                       (uint64_t)getpid() ^ (uint64_t)(uintptr_t)seed};
    uint8_t k[16];
    memcpy(k, seed, 16); /* whatever random bytes were read, else zeros */
    uint64_t h0 = ao_siphash13(k, mix, sizeof(mix));
    k[0] ^= 1;
    uint64_t h1 = ao_siphash13(k, mix, sizeof(mix));
    memcpy(seed, &h0, 8);
    memcpy(seed + 8, &h1, 8);
  }
}
