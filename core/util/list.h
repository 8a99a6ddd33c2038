/* Shared machinery: intrusive lists. A record holds one named link per list it can be on, and finds itself from a
 * link with nfc_list_entry; nothing is allocated and every operation is O(1) but nfc_slist_remove. Three shapes:
 * a singly linked list used as a stack or a hash chain, a FIFO queue, and a doubly linked list. Knows nothing of
 * the pipeline. */
#ifndef NFC_UTIL_LIST_H
#define NFC_UTIL_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* The record of type `type` whose member `member` is `link`, or NULL for a NULL link. */
#define nfc_list_entry(link, type, member) ((type *)nfc_list_entry_((link), offsetof(type, member)))

static inline void *nfc_list_entry_(const void *link, size_t offset)
{
    return link ? (void *)((const char *)link - offset) : NULL;
}

/* ---- singly linked: a stack, or a hash chain (the list is a pointer to its first link) ---- */

struct nfc_slink {
    struct nfc_slink *next;
};

static inline void nfc_slist_push(struct nfc_slink **first, struct nfc_slink *link)
{
    link->next = *first;
    *first = link;
}

static inline struct nfc_slink *nfc_slist_pop(struct nfc_slink **first)
{
    struct nfc_slink *link = *first;
    if (link)
        *first = link->next;
    return link;
}

/* `link` must be on the list; the walk is as long as its position. */
static inline void nfc_slist_remove(struct nfc_slink **first, struct nfc_slink *link)
{
    while (*first != link)
        first = &(*first)->next;
    *first = link->next;
    link->next = NULL;
}

/* ---- a FIFO queue of singly linked links ---- */

struct nfc_queue {
    struct nfc_slink *head, *tail;
};

static inline bool nfc_queue_empty(const struct nfc_queue *q)
{
    return !q->head;
}

static inline void nfc_queue_push(struct nfc_queue *q, struct nfc_slink *link)
{
    link->next = NULL;
    if (q->tail)
        q->tail->next = link;
    else
        q->head = link;
    q->tail = link;
}

static inline struct nfc_slink *nfc_queue_pop(struct nfc_queue *q)
{
    struct nfc_slink *link = q->head;
    if (link) {
        q->head = link->next;
        if (!q->head)
            q->tail = NULL;
    }
    return link;
}

/* ---- doubly linked: removal from anywhere ---- */

struct nfc_dlink {
    struct nfc_dlink *prev, *next;
};

struct nfc_dlist {
    struct nfc_dlink *first, *last;
};

static inline void nfc_dlist_append(struct nfc_dlist *list, struct nfc_dlink *link)
{
    link->next = NULL;
    link->prev = list->last;
    if (list->last)
        list->last->next = link;
    else
        list->first = link;
    list->last = link;
}

static inline void nfc_dlist_remove(struct nfc_dlist *list, struct nfc_dlink *link)
{
    if (link->prev)
        link->prev->next = link->next;
    else
        list->first = link->next;
    if (link->next)
        link->next->prev = link->prev;
    else
        list->last = link->prev;
}

#endif
