/* nfcore._nfcore.Flow: one retained flow, its columns as attributes (nfstream's NFlow: keys(), values(), str(),
 * flow.udps.<field>), pickled as a plain nfcore.flow.FlowRecord. */
#include "nfcore_py.h"

PyObject *nfcpy_flow_new(NfcEngineObject *engine, const struct nfc_flow *flow)
{
    NfcFlowObject *self = PyObject_New(NfcFlowObject, &NfcFlow_Type);
    if (!self) {
        nfc_engine_release(engine->eng, flow);
        return NULL;
    }
    self->engine = (NfcEngineObject *)Py_NewRef(engine);
    self->flow = flow;
    self->next_deferred = NULL;
    return (PyObject *)self;
}

static void flow_dealloc(NfcFlowObject *self)
{
    nfcpy_engine_release(self->engine, self);
}

static PyObject *column(NfcFlowObject *self, size_t index)
{
    struct nfc_value v;
    nfc_flow_value(self->engine->eng, self->flow, index, &v);
    return nfcpy_value(&v);
}

/* The values the Python plugins left in this flow's udps (a dict, new reference); NULL without Python plugins. */
static PyObject *python_values(NfcFlowObject *self)
{
    NfcEngineObject *engine = self->engine;
    PyObject *ns = engine->bridge ? nfcpy_bridge_udps(engine->bridge, engine->eng, self->flow) : NULL;
    PyObject *values = ns ? PyObject_GenericGetDict(ns, NULL) : NULL;
    Py_XDECREF(ns);
    return values;
}

/* A udps column's value: the Python object it was exported from, else the column's value. */
static PyObject *udps_value(NfcFlowObject *self, PyObject *field, PyObject *objects)
{
    PyObject *object = objects ? PyDict_GetItemWithError(objects, PyTuple_GET_ITEM(field, 0)) : NULL;
    if (object)
        return Py_NewRef(object);
    return PyErr_Occurred() ? NULL : column(self, PyLong_AsSize_t(PyTuple_GET_ITEM(field, 1)));
}

/* flow.udps: a namespace of the plugins' fields, in their columns' order. */
static PyObject *udps(NfcFlowObject *self)
{
    PyObject *fields = PyDict_New();
    PyObject *udps = self->engine->udps;
    PyObject *objects = python_values(self);
    for (Py_ssize_t i = 0; fields && i < PyTuple_GET_SIZE(udps); i++) {
        PyObject *field = PyTuple_GET_ITEM(udps, i);
        PyObject *value = udps_value(self, field, objects);
        if (!value || PyDict_SetItem(fields, PyTuple_GET_ITEM(field, 0), value) < 0)
            Py_CLEAR(fields);
        Py_XDECREF(value);
    }
    Py_XDECREF(objects);
    if (!fields)
        return NULL;
    PyObject *empty = PyTuple_New(0);
    PyObject *ns = empty ? PyObject_Call(nfcpy_namespace_type(), empty, fields) : NULL;
    Py_XDECREF(empty);
    Py_DECREF(fields);
    return ns;
}

/* Columns first: they are what a flow is read for. A feature that is off has no column, hence no attribute. */
static PyObject *flow_getattro(NfcFlowObject *self, PyObject *name)
{
    PyObject *index = PyDict_GetItemWithError(self->engine->attrs, name);
    if (index)
        return column(self, PyLong_AsSize_t(index));
    if (PyErr_Occurred())
        return NULL;
    if (self->engine->udps && PyUnicode_CompareWithASCIIString(name, "udps") == 0)
        return udps(self);
    return PyObject_GenericGetAttr((PyObject *)self, name);
}

static PyObject *flow_keys(NfcFlowObject *self, PyObject *unused)
{
    (void)unused;
    return PySequence_List(self->engine->names);
}

/* The columns' values; the Python plugins' as the objects they hold, as nfstream's values() gives them. */
static PyObject *flow_values(NfcFlowObject *self, PyObject *unused)
{
    (void)unused;
    size_t n = self->engine->n_columns;
    PyObject *values = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; values && i < n; i++) {
        PyObject *value = column(self, i);
        if (!value) {
            Py_CLEAR(values);
            break;
        }
        PyList_SET_ITEM(values, (Py_ssize_t)i, value);
    }
    PyObject *objects = values ? python_values(self) : NULL;
    PyObject *udps = self->engine->udps;
    for (Py_ssize_t i = 0; objects && i < PyTuple_GET_SIZE(udps); i++) {
        PyObject *field = PyTuple_GET_ITEM(udps, i);
        PyObject *value = udps_value(self, field, objects);
        if (!value) {
            Py_CLEAR(values);
            break;
        }
        PyList_SetItem(values, (Py_ssize_t)PyLong_AsSsize_t(PyTuple_GET_ITEM(field, 1)), value);
    }
    Py_XDECREF(objects);
    return values;
}

static PyObject *flow_str(NfcFlowObject *self)
{
    PyObject *values = flow_values(self, NULL);
    PyObject *text = values ? nfcpy_flow_text(self->engine->names, values) : NULL;
    Py_XDECREF(values);
    return text;
}

static PyObject *flow_reduce(NfcFlowObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *record = nfcpy_record_type();
    PyObject *values = record ? flow_values(self, NULL) : NULL;
    if (!values)
        return NULL;
    return Py_BuildValue("O(ONO)", record, self->engine->names, values, self->engine->udps ? Py_True : Py_False);
}

static PyObject *flow_dir(NfcFlowObject *self, PyObject *unused)
{
    (void)unused;
    PyObject *names = PyDict_Keys(self->engine->attrs);
    PyObject *more = names ? PyObject_Dir((PyObject *)Py_TYPE(self)) : NULL;
    PyObject *udps = more && self->engine->udps ? PyUnicode_FromString("udps") : NULL;
    int rc = more && (!self->engine->udps || udps) ? PyList_SetSlice(names, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, more) : -1;
    if (rc == 0 && udps)
        rc = PyList_Append(names, udps);
    Py_XDECREF(udps);
    Py_XDECREF(more);
    if (rc < 0)
        Py_CLEAR(names);
    return names;
}

static PyMethodDef flow_methods[] = {
    {"keys", (PyCFunction)flow_keys, METH_NOARGS, "The columns' names (udps.<field> for the plugins')."},
    {"values", (PyCFunction)flow_values, METH_NOARGS, "The columns' values, in the order of keys()."},
    {"__reduce__", (PyCFunction)flow_reduce, METH_NOARGS, "Pickled as an nfcore.flow.FlowRecord."},
    {"__dir__", (PyCFunction)flow_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject NfcFlow_Type = {
    .ob_base = {PyObject_HEAD_INIT(NULL) 0},
    .tp_name = "nfcore._nfcore.Flow",
    .tp_basicsize = sizeof(NfcFlowObject),
    .tp_dealloc = (destructor)flow_dealloc,
    .tp_str = (reprfunc)flow_str,
    .tp_getattro = (getattrofunc)flow_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A flow: every column as an attribute, nfstream's keys(), values() and str().",
    .tp_methods = flow_methods,
};
