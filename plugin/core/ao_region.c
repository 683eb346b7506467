/*
 * ao_region.c - huge-page-friendly big allocations (see ao_region.h).
 */
/* mmap's MAP_ANONYMOUS and madvise's MADV_HUGEPAGE are not POSIX */
#define _DEFAULT_SOURCE
#include "ao_region.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int ao_region_alloc(ao_region_t *r, size_t size) {
  memset(r, 0, sizeof(*r));
  if (size == 0)
    return -1;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (size >= AO_REGION_HUGE) {
    size_t len = (size + AO_REGION_HUGE - 1) & ~(AO_REGION_HUGE - 1);
    /* one huge page of slack, so that an aligned start exists inside */
    size_t map = len + AO_REGION_HUGE;
    char *base = mmap(NULL, map, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base != MAP_FAILED) {
      uintptr_t a = ((uintptr_t)base + AO_REGION_HUGE - 1) &
                    ~(uintptr_t)(AO_REGION_HUGE - 1);
      char *start = (char *)a;
      size_t head = (size_t)(start - base);
      if (head > 0)
        munmap(base, head);
      if (map - head > len)
        munmap(start + len, map - head - len);
      /* a hint: without huge pages the region still works */
      (void)madvise(start, len, MADV_HUGEPAGE);
      r->p = start; /* anonymous memory is zeroed */
      r->size = size;
      r->mapped = len;
      return 0;
    }
  }
#endif
  size_t len = (size + 63) & ~(size_t)63;
  r->p = aligned_alloc(64, len);
  if (r->p == NULL)
    return -1;
  memset(r->p, 0, len);
  r->size = size;
  return 0;
}

void ao_region_free(ao_region_t *r) {
  if (r->p == NULL)
    return;
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (r->mapped > 0)
    munmap(r->p, r->mapped);
  else
    free(r->p);
#else
  free(r->p);
#endif
  memset(r, 0, sizeof(*r));
}
