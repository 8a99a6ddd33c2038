/* nfcore._nfcore.Engine: a libnfcore engine opened from the option table's names and texts, iterated as retained
 * flow objects, written to files, or turned into columns. */
#include <string.h>

#include "nfcore_py.h"

PyObject *nfcpy_engine_error;

/* A sequence of str as the C strings libnfcore reads; they point into the items, which `seq`, a tuple of its own,
 * keeps alive while the engine opens without the GIL (another thread may change the caller's list meanwhile). */
struct string_array {
    PyObject *seq;
    const char **items;
    size_t len;
};

static int string_array_init(struct string_array *a, PyObject *obj, const char *what)
{
    memset(a, 0, sizeof *a);
    if (!obj || obj == Py_None)
        return 0;
    a->seq = PySequence_Tuple(obj);
    if (!a->seq) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s must be a sequence of str", what);
        }
        return -1;
    }
    a->len = (size_t)PySequence_Fast_GET_SIZE(a->seq);
    a->items = PyMem_Calloc(a->len ? a->len : 1, sizeof *a->items);
    if (!a->items) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < a->len; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(a->seq, (Py_ssize_t)i);
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s: item %zu is not a str", what, i);
            return -1;
        }
        if (!(a->items[i] = PyUnicode_AsUTF8(item)))
            return -1;
    }
    return 0;
}

static void string_array_free(struct string_array *a)
{
    PyMem_Free(a->items);
    Py_XDECREF(a->seq);
}

/* The udps list: each item's name (a C plugin's spec, a Python plugin's class name) and link. */
struct plugin_array {
    PyObject *seq;
    const char **names;
    struct nfc_plugin_link *links;
    size_t len;
};

static int plugin_array_init(struct plugin_array *a, PyObject *obj, struct nfcpy_bridge **bridge)
{
    memset(a, 0, sizeof *a);
    if (!obj || obj == Py_None)
        return 0;
    if (!(a->seq = PySequence_Tuple(obj))) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "plugins must be a sequence");
        }
        return -1;
    }
    a->len = (size_t)PySequence_Fast_GET_SIZE(a->seq);
    a->names = PyMem_Calloc(a->len ? a->len : 1, sizeof *a->names);
    a->links = PyMem_Calloc(a->len ? a->len : 1, sizeof *a->links);
    if (!a->names || !a->links) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < a->len; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(a->seq, (Py_ssize_t)i);
        a->names[i] = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : _PyType_Name(Py_TYPE(item));
        if (!a->names[i])
            return -1;
    }
    return nfcpy_bridge_new(a->seq, bridge, a->links);
}

static void plugin_array_free(struct plugin_array *a)
{
    PyMem_Free(a->names);
    PyMem_Free(a->links);
    Py_XDECREF(a->seq);
}

/* Runs on the thread that calls nfc_engine_next, possibly without the GIL: the message waits in the object. */
static void on_warning(void *ctx, const char *message)
{
    NfcEngineObject *self = ctx;
    size_t room = sizeof self->warnings - self->warnings_len;
    size_t len = strlen(message) + 1;
    if (len > room)
        return;
    memcpy(self->warnings + self->warnings_len, message, len);
    self->warnings_len += len;
}

static int flush_warnings(NfcEngineObject *self)
{
    int rc = 0;
    for (size_t at = 0; at < self->warnings_len && rc == 0; at += strlen(self->warnings + at) + 1)
        rc = PyErr_WarnEx(PyExc_RuntimeWarning, self->warnings + at, 1);
    self->warnings_len = 0;
    return rc;
}

/* Sets the options given by name: {"idle-timeout": "120", ...}; ValueError with libnfcore's message. */
static int set_options(struct nfc_config *cfg, PyObject *options)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    char err[256];
    if (!PyDict_Check(options)) {
        PyErr_SetString(PyExc_TypeError, "options must be a dict of option names and texts");
        return -1;
    }
    while (PyDict_Next(options, &pos, &key, &value)) {
        const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        const char *text = PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;
        if (!name || !text) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "option names and values must be str");
            return -1;
        }
        const struct nfc_option *option = nfc_option_find(name);
        if (!option) {
            PyErr_Format(PyExc_ValueError, "unknown option '%s'", name);
            return -1;
        }
        if (nfc_option_set(cfg, option, text, err, sizeof err) < 0) {
            PyErr_SetString(PyExc_ValueError, err);
            return -1;
        }
    }
    return 0;
}

/* The names by which flow objects find their columns: once at open, and again at the first flow when Python
 * plugins named theirs meanwhile. */
static int index_columns(NfcEngineObject *self, bool plugins)
{
    Py_CLEAR(self->names);
    Py_CLEAR(self->attrs);
    Py_CLEAR(self->udps);
    self->indexed = !self->bridge || self->eng_started;
    self->n_columns = nfc_engine_columns(self->eng, &self->columns);
    self->names = PyTuple_New((Py_ssize_t)self->n_columns);
    self->attrs = PyDict_New();
    PyObject *udps = plugins ? PyList_New(0) : NULL;
    if (!self->names || !self->attrs || (plugins && !udps))
        goto fail;
    for (size_t i = 0; i < self->n_columns; i++) {
        const char *name = self->columns[i].name;
        PyObject *str = PyUnicode_InternFromString(name);
        if (!str)
            goto fail;
        PyTuple_SET_ITEM(self->names, (Py_ssize_t)i, str);
        PyObject *index = PyLong_FromSize_t(i);
        int rc = -1;
        if (index && strncmp(name, "udps.", 5) != 0)
            rc = PyDict_SetItem(self->attrs, str, index);
        else if (index && udps) {
            PyObject *field = Py_BuildValue("(sO)", name + 5, index);
            rc = field ? PyList_Append(udps, field) : -1;
            Py_XDECREF(field);
        }
        Py_XDECREF(index);
        if (rc < 0)
            goto fail;
    }
    if (udps) {
        self->udps = PyList_AsTuple(udps);
        Py_DECREF(udps);
        return self->udps ? 0 : -1;
    }
    return 0;
fail:
    Py_XDECREF(udps);
    return -1;
}

static PyObject *engine_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"options", "files", "interface", "plugins", "anonymize", NULL};
    PyObject *options, *files = NULL, *plugins = NULL, *anonymize = NULL;
    const char *interface = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OzOO:Engine", kwlist, &options, &files, &interface, &plugins,
                                     &anonymize))
        return NULL;
    NfcEngineObject *self = (NfcEngineObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->closed = true; /* until the engine opens */
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    struct string_array f = {0}, a = {0};
    struct plugin_array p = {0};
    /* A copy of its own holds the option texts alive while the engine opens without the GIL. */
    PyObject *own_options = PyDict_Check(options) ? PyDict_Copy(options) : Py_NewRef(options);
    int rc = own_options ? string_array_init(&f, files, "files") : -1;
    rc = rc < 0 ? rc : plugin_array_init(&p, plugins, &self->bridge);
    rc = rc < 0 ? rc : string_array_init(&a, anonymize, "anonymize");
    if (rc == 0 && set_options(&cfg, own_options) == 0) {
        cfg.files = f.items;
        cfg.n_files = f.len;
        cfg.interface = interface;
        cfg.plugins = p.names;
        cfg.n_plugins = p.len;
        cfg.plugin_links = self->bridge ? p.links : NULL;
        cfg.anonymize = a.items;
        cfg.n_anonymize = a.len;
        cfg.on_warning = on_warning;
        cfg.warning_ctx = self;
        char err[512];
        PyThreadState *thread = PyEval_SaveThread();
        self->eng = nfc_engine_open(&cfg, err, sizeof err);
        PyEval_RestoreThread(thread);
        if (!self->eng)
            PyErr_SetString(nfcpy_engine_error, err);
    }
    string_array_free(&a);
    plugin_array_free(&p);
    string_array_free(&f);
    Py_XDECREF(own_options);
    if (!self->eng) {
        Py_DECREF(self);
        return NULL;
    }
    self->closed = false;
    self->live = interface != NULL;
    if (self->bridge)
        nfcpy_bridge_attach(self->bridge, self->eng, self->live);
    if (index_columns(self, p.len > 0) < 0 || flush_warnings(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

void nfcpy_engine_close(NfcEngineObject *self)
{
    if (self->closed)
        return;
    self->closed = true;
    nfc_engine_close(self->eng);
    if (self->bridge) {
        /* cleanup() runs whatever is pending; its own exception waits for nfcpy_bridge_raise. */
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        nfcpy_bridge_cleanup(self->bridge);
        PyErr_Restore(type, value, tb);
    }
}

static void engine_dealloc(NfcEngineObject *self)
{
    /* Every flow holds a reference: none is retained any more, so closing frees the engine. */
    nfcpy_engine_close(self);
    Py_XDECREF(self->names);
    Py_XDECREF(self->attrs);
    Py_XDECREF(self->udps);
    nfcpy_bridge_free(self->bridge);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int check_idle(NfcEngineObject *self)
{
    if (!self->busy)
        return 0;
    PyErr_SetString(PyExc_RuntimeError, "the engine is in use by another thread");
    return -1;
}

void nfcpy_engine_release(NfcEngineObject *self, NfcFlowObject *dead)
{
    if (self->busy) {
        dead->next_deferred = self->deferred;
        self->deferred = dead;
        return;
    }
    nfc_engine_release(self->eng, dead->flow);
    Py_TYPE(dead)->tp_free((PyObject *)dead);
    Py_DECREF(self);
}

static void release_deferred(NfcEngineObject *self)
{
    while (self->deferred) {
        NfcFlowObject *dead = self->deferred;
        self->deferred = dead->next_deferred;
        nfcpy_engine_release(self, dead);
    }
}

/* A KeyboardInterrupt that arrived while a live capture waited stops the capture: the flows still open come out
 * next, then the iteration ends normally. Any other pending exception ends the iteration. */
static int check_signals(NfcEngineObject *self)
{
    if (PyErr_CheckSignals() == 0)
        return 0;
    if (!self->live || !PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
        return -1;
    PyErr_Clear();
    if (!self->closed)
        nfc_engine_stop(self->eng);
    return 0;
}

int nfcpy_engine_pull(NfcEngineObject *self, const struct nfc_flow **flow)
{
    if (check_idle(self) < 0)
        return -1;
    if (self->in_handlers) {
        /* The flow this pull is about to return would not survive the next one. */
        PyErr_SetString(PyExc_RuntimeError,
                        "flows cannot be read from a warning or signal handler run while the engine reads them");
        return -1;
    }
    if (self->closed)
        return 0;
    struct nfc_engine *eng = self->eng;
    enum nfc_next next;
    self->busy = true;
    if (self->live)
        nfcpy_interrupt_watch(eng);
    PyThreadState *thread = PyEval_SaveThread();
    next = nfc_engine_next(eng, flow);
    PyEval_RestoreThread(thread);
    if (self->live)
        nfcpy_interrupt_unwatch(eng);
    self->busy = false;
    release_deferred(self);
    self->in_handlers = true;
    int handled = flush_warnings(self) < 0 || check_signals(self) < 0 ? -1 : 0;
    self->in_handlers = false;
    if (handled < 0) {
        nfcpy_engine_close(self);
        return -1;
    }
    /* The Python code of a warning or a signal handler may have closed the engine meanwhile: its flow is gone. */
    if (self->closed)
        return nfcpy_bridge_raise(self->bridge);
    bool failed = nfcpy_bridge_failed(self->bridge);
    if (next == NFC_NEXT_FLOW && !failed) {
        self->eng_started = true;
        if (!self->indexed && index_columns(self, true) < 0) {
            nfcpy_engine_close(self);
            return -1;
        }
        return 1;
    }
    if (next == NFC_NEXT_ERROR && !failed)
        PyErr_SetString(nfcpy_engine_error, nfc_engine_error(eng));
    nfcpy_engine_close(self);
    if (PyErr_Occurred())
        return -1;
    return nfcpy_bridge_raise(self->bridge);
}

static PyObject *engine_iternext(NfcEngineObject *self)
{
    const struct nfc_flow *flow;
    if (nfcpy_engine_pull(self, &flow) <= 0)
        return NULL;
    if (nfc_engine_retain(self->eng, flow) < 0) {
        PyErr_SetString(PyExc_RuntimeError, nfc_engine_error(self->eng));
        return NULL;
    }
    return nfcpy_flow_new(self, flow);
}

static PyObject *engine_close_method(NfcEngineObject *self, PyObject *unused)
{
    (void)unused;
    if (check_idle(self) < 0)
        return NULL;
    nfcpy_engine_close(self);
    if (nfcpy_bridge_raise(self->bridge) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *engine_stop(NfcEngineObject *self, PyObject *unused)
{
    (void)unused;
    if (!self->closed)
        nfc_engine_stop(self->eng);
    Py_RETURN_NONE;
}

/* write(path, flows_per_file=0, rotate_files=0): the remaining flows as CSV files created only with their first
 * flow; returns the number of flows written. The writer opens at the first flow, when the columns are final. */
static PyObject *engine_write(NfcEngineObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"path", "flows_per_file", "rotate_files", NULL};
    PyObject *path;
    unsigned long long per_file = 0, rotate = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|KK:write", kwlist, PyUnicode_FSConverter, &path, &per_file,
                                     &rotate))
        return NULL;
    const struct nfc_flow *flow;
    int rc = check_idle(self) < 0 ? -1 : nfcpy_engine_pull(self, &flow);
    struct nfc_file_output output = {PyBytes_AS_STRING(path), NFC_FORMAT_CSV, per_file, rotate, true};
    char err[512];
    struct nfc_writer *w = NULL;
    if (rc > 0 && !(w = nfc_writer_open_path(self->eng, &output, err, sizeof err))) {
        PyErr_SetString(PyExc_OSError, err);
        nfcpy_engine_close(self);
    }
    Py_DECREF(path);
    if (!w)
        return rc < 0 || PyErr_Occurred() ? NULL : PyLong_FromLong(0);
    while (nfc_writer_write(w, flow) == 0 && (rc = nfcpy_engine_pull(self, &flow)) > 0)
        ;
    uint64_t written = nfc_writer_flows(w);
    /* The writer goes first: it was opened over the engine's columns. */
    if (nfc_writer_close(w, err, sizeof err) < 0 && rc >= 0) {
        PyErr_SetString(PyExc_OSError, err);
        rc = -1;
    }
    if (rc != 0)
        nfcpy_engine_close(self);
    return rc < 0 ? NULL : PyLong_FromUnsignedLongLong(written);
}

static PyObject *worker_packets(NfcEngineObject *self)
{
    uint64_t packets[NFC_MAX_METERS];
    size_t n = nfc_engine_worker_packets(self->eng, packets, NFC_MAX_METERS);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < n && i < NFC_MAX_METERS; i++) {
        PyObject *count = PyLong_FromUnsignedLongLong(packets[i]);
        if (!count || PyList_Append(list, count) < 0)
            Py_CLEAR(list);
        Py_XDECREF(count);
    }
    return list;
}

/* Callable while another thread waits in the engine for packets (a performance report): libnfcore allows it, and
 * the GIL keeps the engine from closing meanwhile. */
static PyObject *engine_stats(NfcEngineObject *self, PyObject *unused)
{
    (void)unused;
    if (self->closed) {
        PyErr_SetString(PyExc_ValueError, "the engine is closed");
        return NULL;
    }
    struct nfc_stats st;
    nfc_engine_stats(self->eng, &st);
    PyObject *workers = worker_packets(self);
    if (!workers)
        return NULL;
    return Py_BuildValue("{sKsKsKsKsKsKsKsKsN}", "packets", (unsigned long long)st.packets, "ignored",
                         (unsigned long long)st.ignored, "dropped", (unsigned long long)st.dropped, "flows",
                         (unsigned long long)st.flows, "kernel_dropped", (unsigned long long)st.kernel_dropped,
                         "damaged_records", (unsigned long long)st.damaged_records, "alloc_failures",
                         (unsigned long long)st.alloc_failures, "workers", (unsigned long long)st.workers,
                         "worker_packets", workers);
}

static PyObject *engine_get_names(NfcEngineObject *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->names);
}

/* The names of enum nfc_type, in its order. */
static const char *const type_names[] = {"int", "uint", "float", "string", "int_list", "string_list", "ip", "mac"};
static_assert(sizeof type_names / sizeof *type_names == NFC_TYPE_MAC + 1, "a name for every type");

static PyObject *engine_get_types(NfcEngineObject *self, void *closure)
{
    (void)closure;
    PyObject *types = PyTuple_New((Py_ssize_t)self->n_columns);
    for (size_t i = 0; types && i < self->n_columns; i++) {
        const struct nfc_column *c = &self->columns[i];
        PyObject *item = Py_BuildValue("(sO)", type_names[c->type], c->may_be_missing ? Py_True : Py_False);
        if (!item)
            Py_CLEAR(types);
        else
            PyTuple_SET_ITEM(types, (Py_ssize_t)i, item);
    }
    return types;
}

static PyObject *engine_get_closed(NfcEngineObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->closed);
}

static PyMethodDef engine_methods[] = {
    {"close", (PyCFunction)engine_close_method, METH_NOARGS, "Stops the engine; flows already returned stay readable."},
    {"stop", (PyCFunction)engine_stop, METH_NOARGS, "Ends a live capture: the flows still open come out next."},
    {"write", (PyCFunction)(void (*)(void))engine_write, METH_VARARGS | METH_KEYWORDS,
     "write(path, flows_per_file=0, rotate_files=0) -> flows written as CSV (no flow: no file)."},
    {"columns", (PyCFunction)nfcpy_engine_columns, METH_NOARGS,
     "The remaining flows as (names, arrays, texts): one numpy array per column; texts lists the columns whose "
     "str values pandas' read_csv would convert. None when there is no flow."},
    {"stats", (PyCFunction)engine_stats, METH_NOARGS,
     "The engine's counters, as a dict (worker_packets: the packets each meter thread was given; alloc_failures: "
     "allocations that failed since the engine opened, process-wide)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef engine_getset[] = {
    {"names", (getter)engine_get_names, NULL, "Every column's name, in order.", NULL},
    {"types", (getter)engine_get_types, NULL,
     "Every column's (type, may_be_missing), in the order of names: type is one of int, uint, float, string, "
     "int_list, string_list, ip, mac.",
     NULL},
    {"closed", (getter)engine_get_closed, NULL, "Whether the engine has ended.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject NfcEngine_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "nfcore._nfcore.Engine",
    .tp_basicsize = sizeof(NfcEngineObject),
    .tp_dealloc = (destructor)engine_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Engine(options, files=(), interface=None, plugins=(), anonymize=()): a libnfcore engine. options "
              "maps the option table's names to their texts ({'idle-timeout': '120'}).",
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)engine_iternext,
    .tp_methods = engine_methods,
    .tp_getset = engine_getset,
    .tp_new = engine_new,
};
