/* libnfcore's values as Python objects and as text, and nfstream's text of a whole flow. */
#include "nfcore_py.h"

/* Engine strings are UTF-8; a stray byte is dropped, as nfstream decodes them. */
static PyObject *decode(const char *text, size_t len)
{
    return PyUnicode_DecodeUTF8(text ? text : "", text ? (Py_ssize_t)len : 0, "ignore");
}

static PyObject *int_list(const struct nfc_value *v)
{
    PyObject *list = PyList_New((Py_ssize_t)v->as.list.len);
    for (size_t i = 0; list && i < v->as.list.len; i++) {
        PyObject *item = PyLong_FromLongLong(nfc_list_at(v, i));
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *string_list(const struct nfc_value *v)
{
    PyObject *list = PyList_New((Py_ssize_t)v->as.strings.len);
    for (size_t i = 0; list && i < v->as.strings.len; i++) {
        const struct nfc_string *s = &v->as.strings.ptr[i];
        PyObject *item = decode(s->text, s->len);
        if (!item) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

Py_ssize_t nfcpy_value_text(const struct nfc_value *v, char **buf, size_t *size)
{
    size_t len = nfc_value_text(v, *buf, *size);
    if (len >= *size) {
        char *bigger = PyMem_Realloc(*buf, len + 1);
        if (!bigger) {
            PyErr_NoMemory();
            return -1;
        }
        *buf = bigger;
        *size = len + 1;
        nfc_value_text(v, *buf, *size);
    }
    return (Py_ssize_t)len;
}

PyObject *nfcpy_value(const struct nfc_value *v)
{
    if (v->missing)
        Py_RETURN_NONE;
    switch (v->type) {
    case NFC_TYPE_INT: return PyLong_FromLongLong(v->as.i);
    case NFC_TYPE_UINT: return PyLong_FromUnsignedLongLong(v->as.u);
    case NFC_TYPE_FLOAT: return PyFloat_FromDouble(v->as.f);
    case NFC_TYPE_STRING: return decode(v->as.str.ptr, v->as.str.len);
    case NFC_TYPE_INT_LIST: return int_list(v);
    case NFC_TYPE_STRING_LIST: return string_list(v);
    case NFC_TYPE_IP:
    case NFC_TYPE_MAC: {
        char text[64]; /* an RFC 5952 address or a MAC fits */
        size_t len = nfc_value_text(v, text, sizeof text);
        return PyUnicode_FromStringAndSize(text, (Py_ssize_t)(len < sizeof text ? len : sizeof text - 1));
    }
    }
    PyErr_Format(PyExc_ValueError, "unknown value type %d", (int)v->type);
    return NULL;
}

PyObject *nfcpy_flow_text(PyObject *names, PyObject *values)
{
    names = PySequence_Fast(names, "names must be a sequence");
    values = names ? PySequence_Fast(values, "values must be a sequence") : NULL;
    PyObject *parts = values ? PyList_New(0) : NULL;
    Py_ssize_t n = values ? PySequence_Fast_GET_SIZE(names) : 0;
    if (parts && n != PySequence_Fast_GET_SIZE(values)) {
        PyErr_SetString(PyExc_ValueError, "names and values differ in length");
        Py_CLEAR(parts);
    }
    for (Py_ssize_t i = 0; parts && i < n; i++) {
        PyObject *part =
            PyUnicode_FromFormat("%S=%S", PySequence_Fast_GET_ITEM(names, i), PySequence_Fast_GET_ITEM(values, i));
        if (!part || PyList_Append(parts, part) < 0)
            Py_CLEAR(parts);
        Py_XDECREF(part);
    }
    PyObject *text = NULL;
    PyObject *sep = parts ? PyUnicode_FromString(",\n      ") : NULL;
    PyObject *body = sep ? PyUnicode_Join(sep, parts) : NULL;
    if (body)
        text = PyUnicode_FromFormat("NFlow(%U)", body);
    Py_XDECREF(body);
    Py_XDECREF(sep);
    Py_XDECREF(parts);
    Py_XDECREF(values);
    Py_XDECREF(names);
    return text;
}
