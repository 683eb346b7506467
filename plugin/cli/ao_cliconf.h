/*
 * ao_cliconf.h - reads a collectd configuration file for the command-line
 * tool (`attack-origin scan --config FILE`), so that users test the very
 * <Plugin attack_origin> block - Rules, Excludes, SignatureFiles,
 * Categories, brute-force settings - that collectd will load.
 *
 * DESCRIPTION
 *   The syntax is collectd's (liboconfig): `Key value...` options and
 *   `<Block value...> ... </Block>` blocks, one per line; values are
 *   "double-quoted strings" (with \" and \\ escapes), numbers, booleans
 *   (true false yes no on off) or bare words; '#' starts a comment outside
 *   quotes; a line ending in '\' continues on the next. The line of every
 *   node is kept (ao_cliconf_line()), so that configuration errors name
 *   the line. One tree at a time (the command-line tool reads one file).
 *
 *   The file may be a whole collectd.conf (other plugins' blocks are
 *   skipped) or a drop-in; its <Plugin attack_origin> blocks are merged.
 *
 *   Ownership: the tree owns its strings and arrays; ao_cliconf_free()
 *   releases them.
 */
#ifndef AO_CLICONF_H
#define AO_CLICONF_H

#include "ao_common.h"
#include "ao_config.h"

/* Parses path into *root: a node whose children are the children of every
 * <Plugin attack_origin> block of the file. Returns 0, or -1 with err
 * filled as "FILE:LINE: message" (syntax errors) or naming the file
 * (cannot read it, no attack_origin block). */
int ao_cliconf_read(const char *path, ao_conf_node_t *root, ao_err_t *err);

void ao_cliconf_free(ao_conf_node_t *root);

/* The line of a node of the tree last read (ao_config_error_node() after
 * a failed ao_config_apply()), or 0 when it is not one of them. */
int ao_cliconf_line(const ao_conf_node_t *node);

#endif /* AO_CLICONF_H */
