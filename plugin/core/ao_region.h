/*
 * ao_region.h - large, zeroed, long-lived allocations that the per-line
 * path reads at random (memo tables, caches), placed for the TLB.
 *
 * DESCRIPTION
 *   A table of a megabyte or two that every line touches at a random place
 *   costs a TLB miss per touch when it is spread over 4 KiB pages (a page
 *   walk, before the cache miss itself). A region of at least
 *   AO_REGION_HUGE bytes is therefore mapped on its own, aligned to 2 MiB
 *   and rounded up to whole 2 MiB, and marked for transparent huge pages
 *   (madvise MADV_HUGEPAGE, Linux; the kernel honours it when its policy
 *   is "madvise" or "always"), so that one TLB entry covers 2 MiB of it.
 *   Smaller regions, and every region where mmap or the hint is not
 *   available, come from aligned_alloc. Either way the bytes are zeroed and
 *   aligned to 64 (a cache line).
 *
 *   The rounding costs memory: a region of 1 MiB + 1 byte takes 4 MiB of
 *   address space, and the pages touched count in the RSS (all of a huge
 *   page as soon as it is touched). Callers size their tables to whole
 *   2 MiB where they use this.
 */
#ifndef AO_REGION_H
#define AO_REGION_H

#include <stddef.h>

#define AO_REGION_HUGE ((size_t)2 << 20)

typedef struct ao_region {
  void *p;       /* the usable bytes, or NULL */
  size_t size;   /* as asked */
  size_t mapped; /* bytes of the mapping, 0 when from aligned_alloc */
} ao_region_t;

/* Fills *r with size (> 0) zeroed bytes. Returns 0, or -1 (ENOMEM) with
 * r->p NULL. */
int ao_region_alloc(ao_region_t *r, size_t size);
/* Releases r (r->p NULL is a no-op) and clears it. */
void ao_region_free(ao_region_t *r);

#endif /* AO_REGION_H */
