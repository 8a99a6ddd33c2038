/* nfcore._nfcore: the CPython extension over libnfcore. What its files share: the engine and flow objects, the
 * value conversions, and the module's own objects. */
#ifndef NFCORE_PY_H
#define NFCORE_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>

#include <nfcore/nfcore.h>

typedef struct nfcpy_flow NfcFlowObject;
struct nfcpy_bridge;

/* An open (or closed) libnfcore engine and what its flows need to name their columns. */
typedef struct {
    PyObject ob_base;
    struct nfc_engine *eng; /* after close, valid only while flows are retained */
    const struct nfc_column *columns;
    size_t n_columns;
    PyObject *names;             /* tuple of str: every column's name, in order */
    PyObject *attrs;             /* dict: attribute name -> column index (int), the columns outside udps */
    PyObject *udps;              /* tuple of (field name, column index) for the udps.* columns; NULL without plugins */
    struct nfcpy_bridge *bridge; /* the Python plugins; NULL without any */
    bool indexed;                /* names, attrs and udps are final (Python plugins name columns at the first flow) */
    bool eng_started;            /* the engine has handed out a flow: its columns are final */
    bool live;
    bool closed;      /* nfc_engine_close ran: no more flows */
    bool busy;        /* in nfc_engine_next, the GIL released */
    bool in_handlers; /* running the Python handlers of the engine's warnings or of a signal, between two flows */
    /* Flows whose objects died while the engine was busy: released once it is not (libnfcore's calls on one
     * engine come from one thread at a time), linked through the dead objects themselves. */
    NfcFlowObject *deferred;
    /* The engine's warnings, kept while it ran without the GIL and given to Python's warnings afterwards. */
    char warnings[1024];
    size_t warnings_len;
} NfcEngineObject;

/* One retained flow: it keeps its engine (and so the flow's memory) alive. */
struct nfcpy_flow {
    PyObject ob_base;
    NfcEngineObject *engine;
    const struct nfc_flow *flow;
    NfcFlowObject *next_deferred;
};

extern PyTypeObject NfcEngine_Type;
extern PyTypeObject NfcFlow_Type;
/* nfcore.EngineError: the engine could not open or failed while reading (an OSError and a ValueError, as nfstream
 * raises ValueError for a bad filter or interface). */
extern PyObject *nfcpy_engine_error;

/* The next flow: 1 with *flow set (valid until the next call unless retained), 0 at the end (the engine is then
 * closed), -1 with an exception set (the engine closed too). Handles the GIL, the live capture's interrupt and
 * the engine's warnings. */
int nfcpy_engine_pull(NfcEngineObject *self, const struct nfc_flow **flow);
/* Closes the engine (once); the flows it returned stay readable. */
void nfcpy_engine_close(NfcEngineObject *self);
/* Gives a retained flow back, or defers it while the engine is busy; takes over the flow object's memory. */
void nfcpy_engine_release(NfcEngineObject *self, NfcFlowObject *dead);

PyObject *nfcpy_flow_new(NfcEngineObject *engine, const struct nfc_flow *flow);

/* A value as Python holds it (None when missing): int, float, str (addresses and MACs as text), list. */
PyObject *nfcpy_value(const struct nfc_value *v);
/* The text of a value as str() writes it, into *buf (grown with PyMem_Realloc as needed); -1 with MemoryError. */
Py_ssize_t nfcpy_value_text(const struct nfc_value *v, char **buf, size_t *size);
/* nfstream's flow text: "NFlow(name=value,\n      name=value)". */
PyObject *nfcpy_flow_text(PyObject *names, PyObject *values);

/* The module's types.SimpleNamespace and nfcore.flow.FlowRecord (imported at first use). */
PyObject *nfcpy_namespace_type(void);
PyObject *nfcpy_record_type(void);

/* Python plugins (bridge.c). From the udps list (str: a C plugin's spec; anything else: an nfcore.NFPlugin), the
 * bridge for its Python plugins (*out NULL when there is none) and each item's link (links[i].plugin NULL for a C
 * plugin). Returns -1 with an exception. */
int nfcpy_bridge_new(PyObject *plugins, struct nfcpy_bridge **out, struct nfc_plugin_link *links);
void nfcpy_bridge_free(struct nfcpy_bridge *b);
/* Whether a plugin has raised (NULL: no bridge, no). */
bool nfcpy_bridge_failed(const struct nfcpy_bridge *b);
/* Raises the first exception a plugin raised (-1), once; 0 when none did (or b is NULL). */
int nfcpy_bridge_raise(struct nfcpy_bridge *b);
/* Calls every Python plugin's cleanup() once (an exception is kept for nfcpy_bridge_raise). */
void nfcpy_bridge_cleanup(struct nfcpy_bridge *b);
/* The engine the bridge stops when a plugin raises (or, live, on Ctrl+C in a hook). */
void nfcpy_bridge_attach(struct nfcpy_bridge *b, struct nfc_engine *eng, bool live);
/* A flow's udps namespace (new reference), NULL when it has none. */
PyObject *nfcpy_bridge_udps(const struct nfcpy_bridge *b, const struct nfc_engine *eng, const struct nfc_flow *flow);
int nfcpy_bridge_init(void);

/* Engine.columns(): the remaining flows as one numpy array per column. */
PyObject *nfcpy_engine_columns(NfcEngineObject *self, PyObject *unused);
int nfcpy_columns_init(void);

/* Live capture: SIGINT during nfc_engine_next stops the watched engines, then reaches Python's handler. */
void nfcpy_interrupt_watch(struct nfc_engine *eng);
void nfcpy_interrupt_unwatch(struct nfc_engine *eng);

#endif
