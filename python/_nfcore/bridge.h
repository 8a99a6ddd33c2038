/* What the Python plugins' bridge (bridge.c) shares with the objects it hands to the plugins (packet.c,
 * plugin_flow.c): the plugins as linked into the engine, and one flow's state. */
#ifndef NFCORE_PY_BRIDGE_H
#define NFCORE_PY_BRIDGE_H

#include "nfcore_py.h"

struct nfcpy_bridge;

/* One nfcore.NFPlugin of the udps list. */
struct py_plugin {
    struct nfcpy_bridge *bridge;
    PyObject *object;                          /* the plugin */
    PyObject *on_init, *on_update, *on_expire; /* its class's functions; NULL where NFPlugin's no-op stands */
    PyObject *name;                            /* the older style's value name (flow.<name>); NULL otherwise */
    bool old_style;
    bool exported;               /* the older style's value is a column (not volatile) */
    const struct nfc_host *host; /* the engine's host for this plugin, from setup */
};

/* A flow's state, in each Python plugin's slot of the record: the flow's udps namespace (one per flow, shared by
 * its Python plugins) and the objects whose text the exported values point into. */
struct py_state {
    PyObject *udps;
    PyObject *keep;
};

struct nfcpy_bridge {
    struct py_plugin *plugins; /* the Python plugins, in list order */
    size_t n;
    size_t first;            /* the first Python plugin's place in the udps list (its state holds udps too) */
    struct nfc_engine *eng;  /* stopped when a plugin raises */
    bool live;               /* a live capture: Ctrl+C in a hook stops it */
    PyObject *refs;          /* dict: readable column name -> nfc_field_ref id (int) */
    PyObject *old_names;     /* set: the older style's value names (not udps columns, whether exported or not) */
    PyObject *columns;       /* list: the name each exported column reads, by the column's arg */
    PyObject *creators;      /* dict: udps name -> index of the plugin that first set it (until columns_fixed) */
    PyObject *error;         /* the first exception a plugin raised, with its note */
    PyObject *packet, *flow; /* handed to every hook, rebound each time */
    PyObject *new_udps;      /* the namespace of the flow the first Python plugin's on_init made */
    const struct nfc_flow_view *expiring; /* the flow a plugin ended during the current packet */
    bool columns_fixed;                   /* the first flow has ended: its udps made the columns */
    bool cleaned;                         /* cleanup() has run */
};

/* packet.c: the packet object (nfstream's packet fields), bound to the packet a hook gets. */
extern PyTypeObject NfcPacket_Type;
PyObject *nfcpy_packet_new(void);
void nfcpy_packet_bind(PyObject *packet, const struct nfc_packet *pkt, const struct nfc_flow_view *view);
/* After the hook: a packet the plugin kept gets a copy of its fields; returns the object for the next hook (a new
 * one then), or NULL with an exception. Steals the reference. */
PyObject *nfcpy_packet_unbind(PyObject *packet);

/* plugin_flow.c: the flow object a hook gets (the engine's columns as they stand, udps, expiration_id). */
extern PyTypeObject NfcPluginFlow_Type;
PyObject *nfcpy_plugin_flow_new(void);
void nfcpy_plugin_flow_bind(PyObject *flow, struct py_plugin *plugin, struct py_state *state,
                            const struct nfc_flow_view *view);
/* After the hook: a flow object the plugin kept is cut off (reading it raises); returns the object for the next
 * hook. Steals the reference. */
PyObject *nfcpy_plugin_flow_unbind(PyObject *flow);

#endif
