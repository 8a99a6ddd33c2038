/* Python plugins (nfcore.NFPlugin) as plugins linked into the engine (SDK 2.1): each runs where C plugins run, in
 * the udps list's order, on the thread that hands flows out (they may end flows), taking the GIL for each hook.
 * A flow's udps namespace lives in the plugins' state slots; its values are exported through computed columns,
 * named after the first flow that ends (nfstream takes its CSV header from its first flow). */
#include <string.h>

#include "bridge.h"

/* ---- calling the plugins --------------------------------------------------------------------------------------- */

static const char *class_name(const struct py_plugin *p)
{
    return _PyType_Name(Py_TYPE(p->object));
}

/* Keeps the first exception a plugin raised, noting whose it is, and stops the engine: the caller raises it. */
static void fail(struct py_plugin *p, const char *hook)
{
    struct nfcpy_bridge *b = p->bridge;
    /* Ctrl+C during a live capture ends the capture (the open flows come out), as it does between packets. */
    if (b->error || (b->live && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))) {
        PyErr_Clear();
        if (!b->error)
            nfc_engine_stop(b->eng);
        return;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb)
        PyException_SetTraceback(value, tb);
    PyObject *note = PyUnicode_FromFormat("raised by the plugin %s in %s", class_name(p), hook);
    PyObject *rc = note ? PyObject_CallMethod(value, "add_note", "O", note) : NULL;
    if (!rc)
        PyErr_Clear();
    Py_XDECREF(rc);
    Py_XDECREF(note);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    b->error = value;
    if (b->eng)
        nfc_engine_stop(b->eng);
}

/* The udps names this call made: those a plugin makes before the first flow ends decide where their columns go. */
static void note_creators(struct py_plugin *p, PyObject *udps, Py_ssize_t before)
{
    struct nfcpy_bridge *b = p->bridge;
    PyObject *dict = PyObject_GenericGetDict(udps, NULL);
    if (!dict) {
        PyErr_Clear();
        return;
    }
    if (PyDict_GET_SIZE(dict) > before) {
        PyObject *key, *value, *index = PyLong_FromSsize_t(p - b->plugins);
        Py_ssize_t pos = 0;
        while (index && PyDict_Next(dict, &pos, &key, &value))
            if (PyDict_SetDefault(b->creators, key, index) == NULL)
                PyErr_Clear();
        Py_XDECREF(index);
    }
    Py_DECREF(dict);
}

static Py_ssize_t udps_size(PyObject *udps)
{
    PyObject *dict = PyObject_GenericGetDict(udps, NULL);
    Py_ssize_t n = dict ? PyDict_GET_SIZE(dict) : 0;
    Py_XDECREF(dict);
    PyErr_Clear();
    return n;
}

/* Calls a hook with the packet and the flow objects bound (pkt NULL: on_expire), then takes them back. */
static void call(struct py_plugin *p, PyObject *fn, const char *hook, struct py_state *st,
                 const struct nfc_flow_view *view, const struct nfc_packet *pkt)
{
    struct nfcpy_bridge *b = p->bridge;
    /* The older style's on_init(pkt) returns the flow's value instead of getting the flow. */
    bool returns_value = p->old_style && fn == p->on_init;
    Py_ssize_t before = b->columns_fixed ? 0 : udps_size(st->udps);
    if (pkt)
        nfcpy_packet_bind(b->packet, pkt, view);
    nfcpy_plugin_flow_bind(b->flow, p, st, view);
    PyObject *args[3] = {p->object, NULL, NULL};
    size_t n = 1;
    if (pkt)
        args[n++] = b->packet;
    if (!returns_value)
        args[n++] = b->flow;
    PyObject *result = PyObject_Vectorcall(fn, args, n, NULL);
    if (result && returns_value && PyObject_SetAttr(st->udps, p->name, result) < 0)
        Py_CLEAR(result);
    if (!result)
        fail(p, hook);
    Py_XDECREF(result);
    if (pkt && !(b->packet = nfcpy_packet_unbind(b->packet)))
        fail(p, hook);
    if (!(b->flow = nfcpy_plugin_flow_unbind(b->flow)))
        fail(p, hook);
    if (!b->columns_fixed)
        note_creators(p, st->udps, before);
}

/* ---- the descriptor's hooks ------------------------------------------------------------------------------------ */

static void on_init(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *view,
                    const struct nfc_packet *pkt)
{
    (void)host;
    struct py_plugin *p = instance;
    struct nfcpy_bridge *b = p->bridge;
    if (b->error)
        return;
    struct py_state *st = state;
    PyGILState_STATE gil = PyGILState_Ensure();
    if (p == &b->plugins[0]) {
        b->expiring = NULL;
        Py_XSETREF(b->new_udps, PyObject_CallNoArgs(nfcpy_namespace_type()));
    }
    if (!b->new_udps) {
        fail(p, "on_init");
    } else {
        st->udps = Py_NewRef(b->new_udps);
        if (p->on_init)
            call(p, p->on_init, "on_init", st, view, pkt);
    }
    if (p == &b->plugins[b->n - 1])
        Py_CLEAR(b->new_udps);
    PyGILState_Release(gil);
}

static void on_update(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *view,
                      const struct nfc_packet *pkt)
{
    (void)host;
    struct py_plugin *p = instance;
    struct py_state *st = state;
    if (p->bridge->error || !st->udps)
        return;
    if (p == &p->bridge->plugins[0])
        p->bridge->expiring = NULL;
    if (!p->on_update)
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    call(p, p->on_update, "on_update", st, view, pkt);
    PyGILState_Release(gil);
}

static void read_value(void *instance, const void *state, uint32_t arg, struct nfc_value *out);

/* The first flow to end names the udps columns: its names in the order they were made, each among the columns of
 * the plugin that made it. */
static void fix_columns(struct py_plugin *last, struct py_state *st)
{
    struct nfcpy_bridge *b = last->bridge;
    b->columns_fixed = true;
    PyObject *dict = PyObject_GenericGetDict(st->udps, NULL);
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (dict && PyDict_Next(dict, &pos, &key, &value)) {
        int old = PySet_Contains(b->old_names, key);
        if (old != 0 || !PyUnicode_Check(key)) {
            PyErr_Clear();
            continue;
        }
        PyObject *creator = PyDict_GetItemWithError(b->creators, key);
        const struct py_plugin *owner = &b->plugins[creator ? PyLong_AsSsize_t(creator) : 0];
        PyObject *column = PyUnicode_FromFormat("udps.%U", key);
        const char *name = column ? PyUnicode_AsUTF8(column) : NULL;
        uint32_t arg = (uint32_t)PyList_GET_SIZE(b->columns);
        if (!name || PyList_Append(b->columns, key) < 0) {
            Py_XDECREF(column);
            break;
        }
        if (owner->host->add_column(owner->host, name, read_value, arg) < 0)
            PyErr_Format(PyExc_ValueError, "cannot add the column %s: another column has that name", name);
        Py_DECREF(column);
        if (PyErr_Occurred())
            break;
    }
    Py_XDECREF(dict);
    Py_CLEAR(b->creators);
    if (PyErr_Occurred())
        fail(last, "on_expire");
}

static void on_expire(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *view)
{
    (void)host;
    struct py_plugin *p = instance;
    struct nfcpy_bridge *b = p->bridge;
    struct py_state *st = state;
    if (b->error || !st->udps)
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    if (p->on_expire)
        call(p, p->on_expire, "on_expire", st, view, NULL);
    if (p == &b->plugins[b->n - 1] && !b->columns_fixed && !b->error)
        fix_columns(p, st);
    PyGILState_Release(gil);
}

static void on_release(void *instance, void *state)
{
    (void)instance;
    struct py_state *st = state;
    if (!st->udps && !st->keep)
        return;
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_CLEAR(st->udps);
    Py_CLEAR(st->keep);
    PyGILState_Release(gil);
}

/* ---- exported values ------------------------------------------------------------------------------------------- */

/* Keeps `obj` with the flow: the value's text points into it. */
static bool keep(struct py_state *st, PyObject *obj)
{
    if (!st->keep && !(st->keep = PyList_New(0)))
        return false;
    return PyList_Append(st->keep, obj) == 0;
}

static void text_value(struct py_state *st, PyObject *text, struct nfc_value *out)
{
    Py_ssize_t len;
    const char *utf8 = text ? PyUnicode_AsUTF8AndSize(text, &len) : NULL;
    if (!utf8 || !keep(st, text)) {
        PyErr_Clear();
        out->missing = true;
        return;
    }
    out->type = NFC_TYPE_STRING;
    out->as.str.ptr = utf8;
    out->as.str.len = (size_t)len;
}

/* As nfstream writes a value: None empty, numbers as numbers, anything else as its str(). */
static void convert(struct py_state *st, PyObject *value, struct nfc_value *out)
{
    if (!value || value == Py_None) {
        out->missing = true;
    } else if (PyBool_Check(value)) {
        out->as.str.ptr = value == Py_True ? "True" : "False";
        out->as.str.len = strlen(out->as.str.ptr);
    } else if (PyLong_CheckExact(value)) {
        int overflow;
        long long i = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (overflow) {
            PyObject *text = PyObject_Str(value);
            text_value(st, text, out);
            Py_XDECREF(text);
        } else {
            out->type = NFC_TYPE_INT;
            out->as.i = i;
        }
    } else if (PyFloat_CheckExact(value)) {
        out->type = NFC_TYPE_FLOAT;
        out->as.f = PyFloat_AS_DOUBLE(value);
    } else if (PyUnicode_CheckExact(value)) {
        text_value(st, value, out);
    } else {
        PyObject *text = PyObject_Str(value);
        text_value(st, text, out);
        Py_XDECREF(text);
    }
}

static void read_value(void *instance, const void *state, uint32_t arg, struct nfc_value *out)
{
    const struct py_plugin *p = instance;
    struct py_state *st = (struct py_state *)(uintptr_t)state;
    if (!st->udps) {
        out->missing = true;
        return;
    }
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *dict = PyObject_GenericGetDict(st->udps, NULL);
    PyObject *value = dict ? PyDict_GetItemWithError(dict, PyList_GET_ITEM(p->bridge->columns, arg)) : NULL;
    PyErr_Clear();
    convert(st, value, out);
    Py_XDECREF(dict);
    PyGILState_Release(gil);
}

/* ---- set-up ---------------------------------------------------------------------------------------------------- */

/* The columns the plugins read by name: the engine's, and the fields of C plugins before the first Python one. */
static int index_refs(struct nfcpy_bridge *b, struct nfc_setup *ctx)
{
    const char *name;
    nfc_field_ref ref;
    for (size_t i = 0; ctx->column(ctx, i, &name, &ref) == 0; i++) {
        PyObject *id = PyLong_FromUnsignedLong(ref.id);
        int rc = id ? PyDict_SetItemString(b->refs, strncmp(name, "udps.", 5) == 0 ? name + 5 : name, id) : -1;
        Py_XDECREF(id);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int setup(struct nfc_setup *ctx, void **instance)
{
    struct py_plugin *p = ctx->data;
    struct nfcpy_bridge *b = p->bridge;
    *instance = p;
    p->host = ctx->host;
    PyGILState_STATE gil = PyGILState_Ensure();
    int rc = p == &b->plugins[0] ? index_refs(b, ctx) : 0;
    if (rc == 0 && p->exported) {
        /* An exported value of the older style: a column of its own name, from the start. */
        PyObject *key = p->name;
        uint32_t arg = (uint32_t)PyList_GET_SIZE(b->columns);
        rc = PyList_Append(b->columns, key);
        if (rc == 0 && ctx->host->add_column(ctx->host, PyUnicode_AsUTF8(key), read_value, arg) < 0) {
            ctx->error(ctx, "its value's name is taken by another column");
            rc = -1;
        }
    }
    if (rc < 0 && PyErr_Occurred()) {
        PyErr_Clear();
        ctx->error(ctx, "out of memory");
    }
    PyGILState_Release(gil);
    return rc;
}

static const struct nfc_plugin python_plugin = {
    NFC_PLUGIN_ABI,
    .name = "python",
    .version = NFC_VERSION,
    .description = "a Python plugin (nfcore.NFPlugin)",
    .state_size = sizeof(struct py_state),
    .flags = NFC_PLUGIN_MAY_EXPIRE,
    .setup = setup,
    .on_init = on_init,
    .on_update = on_update,
    .on_expire = on_expire,
    .on_release = on_release,
};

/* ---- the bridge's life ----------------------------------------------------------------------------------------- */

/* What NFPlugin._nfcore_link() tells: (old_style, (name, exported) or None, on_init, on_update, on_expire). */
static int link_plugin(struct nfcpy_bridge *b, struct py_plugin *p, PyObject *object)
{
    p->bridge = b;
    p->object = Py_NewRef(object);
    PyObject *link = PyObject_CallMethod(object, "_nfcore_link", NULL);
    if (!link)
        return -1;
    PyObject *name = NULL;
    int old = 0;
    int rc = PyArg_ParseTuple(link, "pOOOO", &old, &name, &p->on_init, &p->on_update, &p->on_expire) ? 0 : -1;
    if (rc == 0) {
        p->old_style = old;
        p->on_init = p->on_init == Py_None ? NULL : Py_NewRef(p->on_init);
        p->on_update = p->on_update == Py_None ? NULL : Py_NewRef(p->on_update);
        p->on_expire = p->on_expire == Py_None ? NULL : Py_NewRef(p->on_expire);
        int exported = 0;
        if (name != Py_None && !PyArg_ParseTuple(name, "Up", &p->name, &exported)) {
            PyErr_SetString(PyExc_TypeError, "_nfcore_link: the name must be (str, bool)");
            rc = -1;
        }
        p->exported = exported;
        Py_XINCREF(p->name);
        if (rc == 0 && p->name)
            rc = PySet_Add(b->old_names, p->name);
        /* The older style's on_init returns the value: it runs even when it is NFPlugin's. */
        if (rc == 0 && p->old_style && !p->on_init)
            rc = -1, PyErr_SetString(PyExc_TypeError, "an older-style plugin must define on_init(self, pkt)");
    }
    Py_DECREF(link);
    return rc;
}

void nfcpy_bridge_free(struct nfcpy_bridge *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        struct py_plugin *p = &b->plugins[i];
        Py_XDECREF(p->object);
        Py_XDECREF(p->on_init);
        Py_XDECREF(p->on_update);
        Py_XDECREF(p->on_expire);
        Py_XDECREF(p->name);
    }
    PyMem_Free(b->plugins);
    Py_XDECREF(b->refs);
    Py_XDECREF(b->old_names);
    Py_XDECREF(b->columns);
    Py_XDECREF(b->creators);
    Py_XDECREF(b->error);
    Py_XDECREF(b->packet);
    Py_XDECREF(b->flow);
    Py_XDECREF(b->new_udps);
    PyMem_Free(b);
}

int nfcpy_bridge_new(PyObject *plugins, struct nfcpy_bridge **out, struct nfc_plugin_link *links)
{
    *out = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(plugins), python = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        python += !PyUnicode_Check(PySequence_Fast_GET_ITEM(plugins, i));
    if (python == 0)
        return 0;
    struct nfcpy_bridge *b = PyMem_Calloc(1, sizeof *b);
    if (!b || !(b->plugins = PyMem_Calloc((size_t)python, sizeof *b->plugins))) {
        PyMem_Free(b);
        PyErr_NoMemory();
        return -1;
    }
    b->refs = PyDict_New();
    b->old_names = PySet_New(NULL);
    b->columns = PyList_New(0);
    b->creators = PyDict_New();
    b->packet = nfcpy_packet_new();
    b->flow = nfcpy_plugin_flow_new();
    int rc = b->refs && b->old_names && b->columns && b->creators && b->packet && b->flow ? 0 : -1;
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(plugins, i);
        links[i] = (struct nfc_plugin_link){0};
        if (PyUnicode_Check(item))
            continue;
        if (b->n == 0)
            b->first = (size_t)i;
        struct py_plugin *p = &b->plugins[b->n++];
        rc = link_plugin(b, p, item);
        links[i] = (struct nfc_plugin_link){&python_plugin, p};
    }
    if (rc < 0) {
        nfcpy_bridge_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

bool nfcpy_bridge_failed(const struct nfcpy_bridge *b)
{
    return b && b->error;
}

int nfcpy_bridge_raise(struct nfcpy_bridge *b)
{
    if (!b || !b->error)
        return 0;
    PyObject *error = b->error;
    b->error = NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(error), error);
    Py_DECREF(error);
    return -1;
}

void nfcpy_bridge_attach(struct nfcpy_bridge *b, struct nfc_engine *eng, bool live)
{
    b->eng = eng;
    b->live = live;
}

int nfcpy_bridge_init(void)
{
    return PyType_Ready(&NfcPacket_Type) < 0 || PyType_Ready(&NfcPluginFlow_Type) < 0 ? -1 : 0;
}

void nfcpy_bridge_cleanup(struct nfcpy_bridge *b)
{
    if (!b || b->cleaned)
        return;
    b->cleaned = true;
    for (size_t i = 0; i < b->n; i++) {
        PyObject *rc = PyObject_CallMethod(b->plugins[i].object, "cleanup", NULL);
        if (!rc)
            fail(&b->plugins[i], "cleanup");
        Py_XDECREF(rc);
    }
}

PyObject *nfcpy_bridge_udps(const struct nfcpy_bridge *b, const struct nfc_engine *eng, const struct nfc_flow *flow)
{
    const struct py_state *st = nfc_flow_plugin_state(eng, flow, b->first);
    return st && st->udps ? Py_NewRef(st->udps) : NULL;
}
