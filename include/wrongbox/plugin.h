/* Wrongbox switch plugin C ABI, version 1.
 *
 * A switch built as a shared library is driven in-process, at full speed,
 * with `--sut plugin:PATH.so [ARG]`. The ABI mirrors protocol v1 call for
 * call (docs/protocol-v1.md): the harness calls the plugin's commands;
 * the plugin calls back through `wb_calls` while it handles one.
 *
 * A plugin exports one symbol:
 *
 *     const wb_plugin* wrongbox_plugin_v1(void);
 *
 * Rules:
 *   - Strings are (pointer, length), UTF-8, not NUL-terminated.
 *   - Everything the harness passes in is valid only during that call.
 *   - Everything the plugin hands out (hello strings, verdict strings,
 *     last_error) stays valid until the plugin's next command.
 *   - Callbacks in `wb_calls` may be used only during the command that
 *     received them, from any of the plugin's threads, several at once; the
 *     command returns only after every callback it caused has returned.
 *     A lookup answer is valid until the calling thread's next callback.
 *     A plugin that calls from several threads says "threads" among its
 *     capabilities (docs/concurrency.md).
 *   - A command returns 0 on success; non-zero reports the switch as failed
 *     (exit code 3) with last_error() as the reason.
 *   - A crash in a plugin is a crash of the harness: vendors who want crash
 *     containment use protocol v1 (`exec:`) instead.
 *   - Files (property S6): the harness's environment holds the plugin's
 *     places when `create` runs: WRONGBOX_PRIVATE_DIR (its private store,
 *     mode 0700: content only in files the owner alone can read),
 *     WRONGBOX_SHARED_DIR (every staff member reads it: nothing personal)
 *     and WRONGBOX_LOG_DIR (part of the staff log). Every file that changes
 *     there during a command is judged when it ends.
 */
#ifndef WRONGBOX_PLUGIN_H_
#define WRONGBOX_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WRONGBOX_PLUGIN_ABI_VERSION 1u

typedef struct wb_string {
  const char* data;
  size_t size;
} wb_string;

typedef struct wb_part {
  wb_string name;
  wb_string data;
} wb_part;

typedef struct wb_message {
  wb_string sender;
  wb_string id;
  wb_string subject;
  wb_string title;
  const wb_part* parts;
  size_t part_count;
} wb_message;

typedef struct wb_lookup {
  int unavailable; /* non-zero: registry down, nothing else is meaningful */
  int has_mailbox;
  wb_string mailbox;
  int is_protected;
  const wb_string* blocked_senders;
  size_t blocked_count;
} wb_lookup;

enum { WB_DELIVER_OK = 0, WB_DELIVER_UNAVAILABLE = 1, WB_DELIVER_NO_SUCH_MAILBOX = 2 };
enum { WB_RECEIPT_DELIVERED = 0, WB_RECEIPT_PRINTED = 1, WB_RECEIPT_HELD = 2 };

typedef struct wb_verdict {
  wb_string sender;
  wb_string id;
  int accepted;
  wb_string reason;
} wb_verdict;

/* The harness side: the calls of protocol v1. */
typedef struct wb_calls {
  void* ctx;
  void (*lookup)(void* ctx, wb_string person, wb_lookup* answer);
  int (*deliver)(void* ctx, wb_string mailbox, const wb_message* message); /* WB_DELIVER_* */
  void (*print)(void* ctx, wb_string person, const wb_message* message);
  void (*hold)(void* ctx, const wb_message* message, wb_string reason);
  void (*receipt)(void* ctx, wb_string sender, wb_string id, int status); /* WB_RECEIPT_* */
  void (*log)(void* ctx, wb_string text);
} wb_calls;

typedef struct wb_hello {
  wb_string name;
  wb_string version;
  const wb_string* capabilities; /* e.g. "restart" */
  size_t capability_count;
} wb_hello;

/* The plugin side: the commands of protocol v1. */
typedef struct wb_plugin {
  uint32_t abi_version; /* WRONGBOX_PLUGIN_ABI_VERSION */
  /* `arg` is the text after the path in --sut plugin:PATH ARG ("" if none). */
  void* (*create)(wb_string arg);
  void (*destroy)(void* self);
  int (*hello)(void* self, wb_hello* out);
  int (*reset)(void* self, const wb_string* senders, size_t sender_count);
  /* Writes exactly `count` verdicts into `out` (an array of `count`), in order. */
  int (*submit)(void* self, const wb_message* batch, size_t count, const wb_calls* calls,
                wb_verdict* out);
  int (*tick)(void* self, int64_t now, const wb_calls* calls, int* idle);
  int (*restart)(void* self);
  const char* (*last_error)(void* self); /* NUL-terminated; after a non-zero return */
} wb_plugin;

typedef const wb_plugin* (*wb_plugin_entry)(void);
#define WRONGBOX_PLUGIN_ENTRY "wrongbox_plugin_v1"

#ifdef __cplusplus
}
#endif

#endif /* WRONGBOX_PLUGIN_H_ */
