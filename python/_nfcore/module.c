/* nfcore._nfcore: the extension's module, its exception, and the objects its types borrow from Python. */
#include "nfcore_py.h"

static PyObject *namespace_type;
static PyObject *record_type;

PyObject *nfcpy_namespace_type(void)
{
    return namespace_type;
}

/* nfcore.flow imports this module: it is looked up at the first pickling, not at import. */
PyObject *nfcpy_record_type(void)
{
    if (!record_type) {
        PyObject *module = PyImport_ImportModule("nfcore.flow");
        record_type = module ? PyObject_GetAttrString(module, "FlowRecord") : NULL;
        Py_XDECREF(module);
    }
    return record_type;
}

static PyObject *flow_text(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *names, *values;
    if (!PyArg_ParseTuple(args, "OO:flow_text", &names, &values))
        return NULL;
    return nfcpy_flow_text(names, values);
}

static PyObject *chunk_path(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *path;
    unsigned long long k;
    if (!PyArg_ParseTuple(args, "O&K:chunk_path", PyUnicode_FSConverter, &path, &k))
        return NULL;
    char buf[4096];
    size_t len = nfc_file_output_chunk_path(PyBytes_AS_STRING(path), NFC_FORMAT_CSV, k, buf, sizeof buf);
    Py_DECREF(path);
    if (len >= sizeof buf) {
        PyErr_SetString(PyExc_ValueError, "path too long");
        return NULL;
    }
    return PyUnicode_DecodeFSDefaultAndSize(buf, (Py_ssize_t)len);
}

static PyMethodDef module_methods[] = {
    {"flow_text", flow_text, METH_VARARGS, "flow_text(names, values) -> nfstream's text of a flow."},
    {"chunk_path", chunk_path, METH_VARARGS, "chunk_path(path, k) -> the file of CSV chunk k of path."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, .m_name = "nfcore._nfcore",  .m_doc = "libnfcore's engine, flows and columns.",
    .m_size = -1,          .m_methods = module_methods,
};

static int add_objects(PyObject *m)
{
    PyObject *types = PyImport_ImportModule("types");
    namespace_type = types ? PyObject_GetAttrString(types, "SimpleNamespace") : NULL;
    Py_XDECREF(types);
    PyObject *bases = namespace_type ? PyTuple_Pack(2, PyExc_OSError, PyExc_ValueError) : NULL;
    nfcpy_engine_error = bases ? PyErr_NewExceptionWithDoc("nfcore.EngineError",
                                                           "The engine could not open its source, filter or plugins, "
                                                           "or failed while reading.",
                                                           bases, NULL)
                               : NULL;
    Py_XDECREF(bases);
    if (!nfcpy_engine_error || nfcpy_columns_init() < 0 || nfcpy_bridge_init() < 0 ||
        PyType_Ready(&NfcEngine_Type) < 0 || PyType_Ready(&NfcFlow_Type) < 0)
        return -1;
    if (PyModule_AddObjectRef(m, "EngineError", nfcpy_engine_error) < 0 ||
        PyModule_AddObjectRef(m, "Engine", (PyObject *)&NfcEngine_Type) < 0 ||
        PyModule_AddObjectRef(m, "Flow", (PyObject *)&NfcFlow_Type) < 0 ||
        PyModule_AddStringConstant(m, "NFC_VERSION", NFC_VERSION) < 0 ||
        PyModule_AddIntConstant(m, "NFC_MAX_METERS", NFC_MAX_METERS) < 0 ||
        PyModule_AddStringConstant(m, "NDPI_VERSION", nfc_ndpi_version()) < 0 ||
        PyModule_AddStringConstant(m, "PCAP_VERSION", nfc_pcap_version()) < 0)
        return -1;
    return 0;
}

PyMODINIT_FUNC PyInit__nfcore(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (m && add_objects(m) < 0)
        Py_CLEAR(m);
    return m;
}
