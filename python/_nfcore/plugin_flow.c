/* nfcore._nfcore.PluginFlow: the flow a Python plugin's hook gets. Its attributes read the engine's record as it
 * stands after the current packet (nothing is copied in advance); flow.udps is the flow's namespace; setting
 * expiration_id to -1 ends the flow; the older style's values are flow.<name>. One object serves every hook. */
#include "bridge.h"

typedef struct {
    PyObject ob_base;
    struct py_plugin *plugin; /* NULL once cut off */
    struct py_state *state;
    const struct nfc_flow_view *view;
} NfcPluginFlowObject;

PyObject *nfcpy_plugin_flow_new(void)
{
    NfcPluginFlowObject *self = PyObject_New(NfcPluginFlowObject, &NfcPluginFlow_Type);
    if (self) {
        self->plugin = NULL;
        self->state = NULL;
        self->view = NULL;
    }
    return (PyObject *)self;
}

void nfcpy_plugin_flow_bind(PyObject *flow, struct py_plugin *plugin, struct py_state *state,
                            const struct nfc_flow_view *view)
{
    NfcPluginFlowObject *self = (NfcPluginFlowObject *)flow;
    self->plugin = plugin;
    self->state = state;
    self->view = view;
}

PyObject *nfcpy_plugin_flow_unbind(PyObject *flow)
{
    if (Py_REFCNT(flow) == 1)
        return flow;
    /* The plugin kept it: the record it reads may be gone by its next use. */
    ((NfcPluginFlowObject *)flow)->plugin = NULL;
    Py_DECREF(flow);
    return nfcpy_plugin_flow_new();
}

static void plugin_flow_dealloc(NfcPluginFlowObject *self)
{
    PyObject_Free(self);
}

static int check_bound(const NfcPluginFlowObject *self)
{
    if (self->plugin)
        return 0;
    PyErr_SetString(PyExc_RuntimeError,
                    "a plugin's flow object is valid only during the hook that received it (keep values, not it)");
    return -1;
}

static PyObject *udps_value(NfcPluginFlowObject *self, PyObject *name)
{
    PyObject *dict = PyObject_GenericGetDict(self->state->udps, NULL);
    PyObject *value = dict ? PyDict_GetItemWithError(dict, name) : NULL;
    Py_XDECREF(dict);
    if (value)
        return Py_NewRef(value);
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_AttributeError, "the flow has no value '%U' yet", name);
    return NULL;
}

static PyObject *plugin_flow_getattro(NfcPluginFlowObject *self, PyObject *name)
{
    if (check_bound(self) < 0)
        return NULL;
    struct nfcpy_bridge *b = self->plugin->bridge;
    PyObject *ref = PyDict_GetItemWithError(b->refs, name);
    if (ref) {
        struct nfc_value v;
        const struct nfc_host *host = self->plugin->host;
        host->read(host, self->view, (nfc_field_ref){(uint32_t)PyLong_AsUnsignedLong(ref)}, &v);
        return nfcpy_value(&v);
    }
    if (PyErr_Occurred())
        return NULL;
    if (PyUnicode_CompareWithASCIIString(name, "udps") == 0)
        return Py_NewRef(self->state->udps);
    if (PyUnicode_CompareWithASCIIString(name, "expiration_id") == 0)
        return PyLong_FromLong(b->expiring == self->view ? NFC_EXPIRE_CUSTOM : self->view->expiration_id);
    int old = PySet_Contains(b->old_names, name);
    if (old)
        return old < 0 ? NULL : udps_value(self, name);
    return PyObject_GenericGetAttr((PyObject *)self, name);
}

static int set_expiration(NfcPluginFlowObject *self, PyObject *value)
{
    int overflow;
    long id = value && PyLong_Check(value) ? PyLong_AsLongAndOverflow(value, &overflow) : 0;
    if (id != NFC_EXPIRE_CUSTOM) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "flow.expiration_id can only be set to -1, which ends the flow");
        return -1;
    }
    const struct nfc_host *host = self->plugin->host;
    host->request_expiry(host, self->view);
    self->plugin->bridge->expiring = self->view;
    return 0;
}

static int plugin_flow_setattro(NfcPluginFlowObject *self, PyObject *name, PyObject *value)
{
    if (check_bound(self) < 0)
        return -1;
    struct nfcpy_bridge *b = self->plugin->bridge;
    if (PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "expiration_id") == 0)
        return set_expiration(self, value);
    int old = PySet_Contains(b->old_names, name);
    if (old > 0)
        return PyObject_SetAttr(self->state->udps, name, value);
    if (old == 0)
        PyErr_Format(PyExc_AttributeError,
                     "flow.%U cannot be set: a plugin's own values go in flow.udps, the engine's columns are read-only",
                     name);
    return -1;
}

PyTypeObject NfcPluginFlow_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "nfcore._nfcore.PluginFlow",
    .tp_basicsize = sizeof(NfcPluginFlowObject),
    .tp_dealloc = (destructor)plugin_flow_dealloc,
    .tp_getattro = (getattrofunc)plugin_flow_getattro,
    .tp_setattro = (setattrofunc)plugin_flow_setattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The flow a plugin's hooks get: the engine's columns as they stand after the current packet, udps, "
              "and expiration_id (set it to -1 to end the flow).",
};
