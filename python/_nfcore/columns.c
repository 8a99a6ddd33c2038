/* Engine.columns(): the remaining flows as one numpy array per column, built in one pass, holding what pandas'
 * read_csv makes of nfstream's CSV of them: int64 (uint64 above its range), float64 (an integer column with a
 * missing value becomes float64, NaN where it is missing), object (str, NaN for a missing value or a text read_csv
 * takes for one), and float64 NaN for a column without any value. A text column whose every text could be a number
 * or a boolean to read_csv is handed back as str for read_csv itself to judge (the third item of the result). */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nfcore_py.h"

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

enum kind {
    KIND_INT,   /* cells' i: INT values, or UINT ones as their bits */
    KIND_FLOAT, /* cells' f */
    KIND_TEXT,  /* cells' o: str, or NULL for a missing or empty value */
};

union cell {
    int64_t i;
    double f;
    PyObject *o;
};
static_assert(sizeof(union cell) == 8, "a cell is as wide as a numpy item");

struct column {
    enum kind kind;
    union cell *cells;
    uint8_t *missing;  /* KIND_INT: rows without a value; allocated with the first one */
    bool is_unsigned;  /* KIND_INT: the column's values are UINT */
    bool above_int64;  /* KIND_INT: a value above INT64_MAX */
    bool numeric_text; /* KIND_TEXT: every text so far may be a number or a boolean to read_csv */
    bool na_text;      /* KIND_TEXT: a text read_csv takes for a missing value ("nan", "NULL") is among the cells */
    size_t present;    /* KIND_TEXT: cells with a text */
    PyObject *last;    /* KIND_TEXT: the latest str (a cell holds it), reused while the text stays the same */
    char *last_text;   /* its bytes */
    size_t last_len, last_cap;
};

struct table {
    struct column *cols;
    size_t n_cols;
    size_t rows, cap;
    char *text; /* scratch for nfc_value_text */
    size_t text_size;
};

int nfcpy_columns_init(void)
{
    import_array1(-1);
    return 0;
}

/* pandas 1.5.3's default na_values: what read_csv turns into NaN. */
static bool is_na_text(const char *s, size_t len)
{
    static const char *const na[] = {"#N/A", "#N/A N/A", "#NA",     "-1.#IND", "-1.#QNAN", "-NaN",
                                     "-nan", "1.#IND",   "1.#QNAN", "<NA>",    "N/A",      "NA",
                                     "NULL", "NaN",      "n/a",     "nan",     "null"};
    if (len == 0)
        return true;
    if (len > 8 || !strchr("#-1<Nn", s[0]))
        return false;
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        if (strlen(na[i]) == len && memcmp(na[i], s, len) == 0)
            return true;
    return false;
}

static bool equals_nocase(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Whether read_csv might read this text as a number or a boolean: a superset (digits, signs, points, exponents
 * and blanks; inf, infinity, true, false in any case), so that a column it rejects is text for certain. */
static bool may_be_numeric(const char *s, size_t len)
{
    size_t start = (len > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (equals_nocase(s + start, len - start, "inf") || equals_nocase(s + start, len - start, "infinity") ||
        equals_nocase(s, len, "true") || equals_nocase(s, len, "false"))
        return true;
    bool digit = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digit = true;
        else if (!strchr("+-.eE \t", s[i]))
            return false;
    }
    return digit;
}

static int put_text(struct table *t, struct column *c, union cell *cell, const struct nfc_value *v)
{
    const char *text;
    Py_ssize_t len;
    if (v->missing) /* whatever its fields hold: a computed column's missing value need not clear them */
        return 0;
    if (v->type == NFC_TYPE_STRING) {
        text = v->as.str.ptr;
        len = (Py_ssize_t)v->as.str.len;
    } else if ((len = nfcpy_value_text(v, &t->text, &t->text_size)) < 0) {
        return -1;
    } else {
        text = t->text;
    }
    if (is_na_text(text, (size_t)len)) {
        if (len == 0)
            return 0;
        c->na_text = true;
    } else {
        c->present++;
        c->numeric_text = c->numeric_text && may_be_numeric(text, (size_t)len);
    }
    if (c->last && (size_t)len == c->last_len && memcmp(text, c->last_text, (size_t)len) == 0) {
        cell->o = Py_NewRef(c->last);
        return 0;
    }
    PyObject *str = PyUnicode_DecodeUTF8(text, len, "ignore");
    if (!str)
        return -1;
    if ((size_t)len > c->last_cap) {
        char *bigger = PyMem_Realloc(c->last_text, (size_t)len);
        if (!bigger) {
            Py_DECREF(str);
            PyErr_NoMemory();
            return -1;
        }
        c->last_text = bigger;
        c->last_cap = (size_t)len;
    }
    memcpy(c->last_text, text, (size_t)len);
    c->last_len = (size_t)len;
    c->last = str;
    cell->o = str;
    return 0;
}

static int put(struct table *t, struct column *c, size_t row, const struct nfc_value *v)
{
    union cell *cell = &c->cells[row];
    switch (c->kind) {
    case KIND_TEXT: return put_text(t, c, cell, v);
    case KIND_FLOAT:
        cell->f = v->missing                  ? NAN
                  : v->type == NFC_TYPE_FLOAT ? v->as.f
                  : v->type == NFC_TYPE_UINT  ? (double)v->as.u
                                              : (double)v->as.i;
        return 0;
    case KIND_INT:
        if (v->missing) {
            if (!c->missing && !(c->missing = PyMem_Calloc(t->cap, 1))) {
                PyErr_NoMemory();
                return -1;
            }
            c->missing[row] = 1;
            cell->i = 0;
        } else if (v->type == NFC_TYPE_UINT) {
            cell->i = (int64_t)v->as.u;
            c->above_int64 = c->above_int64 || v->as.u > INT64_MAX;
        } else {
            cell->i = v->as.i;
        }
        return 0;
    }
    return 0;
}

static int grow(struct table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    for (size_t i = 0; i < t->n_cols; i++) {
        struct column *c = &t->cols[i];
        union cell *cells = PyMem_Realloc(c->cells, cap * sizeof *cells);
        if (!cells)
            return -1;
        memset(cells + t->cap, 0, (cap - t->cap) * sizeof *cells);
        c->cells = cells;
        if (c->missing) {
            uint8_t *missing = PyMem_Realloc(c->missing, cap);
            if (!missing)
                return -1;
            memset(missing + t->cap, 0, cap - t->cap);
            c->missing = missing;
        }
    }
    t->cap = cap;
    return 0;
}

static enum kind kind_of(enum nfc_type type)
{
    switch (type) {
    case NFC_TYPE_INT:
    case NFC_TYPE_UINT: return KIND_INT;
    case NFC_TYPE_FLOAT: return KIND_FLOAT;
    default: return KIND_TEXT;
    }
}

static void table_free(struct table *t)
{
    for (size_t i = 0; t->cols && i < t->n_cols; i++) {
        struct column *c = &t->cols[i];
        if (c->kind == KIND_TEXT)
            for (size_t row = 0; c->cells && row < t->cap; row++)
                Py_XDECREF(c->cells[row].o);
        PyMem_Free(c->cells);
        PyMem_Free(c->missing);
        PyMem_Free(c->last_text);
    }
    PyMem_Free(t->cols);
    PyMem_Free(t->text);
}

static PyObject *new_array(int typenum, size_t rows, const void *data)
{
    npy_intp dims[1] = {(npy_intp)rows};
    PyObject *a = PyArray_SimpleNew(1, dims, typenum);
    if (a && data)
        memcpy(PyArray_DATA((PyArrayObject *)a), data, rows * sizeof(union cell));
    return a;
}

static PyObject *nan_array(size_t rows)
{
    PyObject *a = new_array(NPY_FLOAT64, rows, NULL);
    for (size_t i = 0; a && i < rows; i++)
        ((double *)PyArray_DATA((PyArrayObject *)a))[i] = NAN;
    return a;
}

/* An object array taking over the column's str; `empty` stands where a cell has none (and for NA texts when
 * na is set). */
static PyObject *object_array(struct column *c, size_t rows, PyObject *empty, bool na)
{
    PyObject *a = new_array(NPY_OBJECT, rows, NULL);
    if (!a)
        return NULL;
    PyObject **items = PyArray_DATA((PyArrayObject *)a);
    for (size_t i = 0; i < rows; i++) {
        PyObject *o = c->cells[i].o;
        if (o && na) {
            Py_ssize_t len;
            const char *s = PyUnicode_AsUTF8AndSize(o, &len);
            if (s && is_na_text(s, (size_t)len))
                Py_CLEAR(c->cells[i].o);
        }
        items[i] = c->cells[i].o ? c->cells[i].o : Py_NewRef(empty);
        c->cells[i].o = NULL;
    }
    return a;
}

/* The decimal texts of an unsigned column above int64's range with a missing value (read_csv keeps them as
 * text). */
static PyObject *int_texts(struct column *c, size_t rows, PyObject *empty)
{
    PyObject *a = new_array(NPY_OBJECT, rows, NULL);
    PyObject **items = a ? PyArray_DATA((PyArrayObject *)a) : NULL;
    for (size_t i = 0; a && i < rows; i++) {
        if (c->missing && c->missing[i])
            items[i] = Py_NewRef(empty);
        else if (c->is_unsigned)
            items[i] = PyLong_FromUnsignedLongLong((uint64_t)c->cells[i].i);
        else
            items[i] = PyLong_FromLongLong(c->cells[i].i);
        if (items[i] && items[i] != empty)
            Py_SETREF(items[i], PyObject_Str(items[i]));
        if (!items[i])
            Py_CLEAR(a);
    }
    return a;
}

static PyObject *int_array(struct column *c, size_t rows, PyObject *empty, bool *text)
{
    if (c->above_int64 && c->missing) {
        *text = true;
        return int_texts(c, rows, empty);
    }
    if (!c->missing)
        return new_array(c->above_int64 ? NPY_UINT64 : NPY_INT64, rows, c->cells);
    PyObject *a = new_array(NPY_FLOAT64, rows, NULL);
    for (size_t i = 0; a && i < rows; i++)
        ((double *)PyArray_DATA((PyArrayObject *)a))[i] = c->missing[i] ? NAN : (double)c->cells[i].i;
    return a;
}

static PyObject *column_array(struct column *c, size_t rows, bool *text)
{
    *text = false;
    switch (c->kind) {
    case KIND_FLOAT: return new_array(NPY_FLOAT64, rows, c->cells);
    case KIND_INT: {
        PyObject *empty = PyUnicode_FromString("");
        PyObject *a = empty ? int_array(c, rows, empty, text) : NULL;
        Py_XDECREF(empty);
        return a;
    }
    case KIND_TEXT: break;
    }
    if (!c->present)
        return nan_array(rows);
    *text = c->numeric_text;
    PyObject *empty = *text ? PyUnicode_FromString("") : PyFloat_FromDouble(NAN);
    PyObject *a = empty ? object_array(c, rows, empty, !*text && c->na_text) : NULL;
    Py_XDECREF(empty);
    return a;
}

/* (names, arrays, indexes of the columns left to read_csv) */
static PyObject *finish(NfcEngineObject *engine, struct table *t)
{
    PyObject *arrays = PyList_New((Py_ssize_t)t->n_cols);
    PyObject *texts = arrays ? PyList_New(0) : NULL;
    for (size_t i = 0; texts && i < t->n_cols; i++) {
        bool text;
        PyObject *a = column_array(&t->cols[i], t->rows, &text);
        PyObject *index = a && text ? PyLong_FromSize_t(i) : NULL;
        if (!a || (text && (!index || PyList_Append(texts, index) < 0)))
            Py_CLEAR(texts);
        Py_XDECREF(index);
        if (a)
            PyList_SET_ITEM(arrays, (Py_ssize_t)i, a);
    }
    if (!texts) {
        Py_XDECREF(arrays);
        return NULL;
    }
    return Py_BuildValue("(ONN)", engine->names, arrays, texts);
}

/* The table is laid out at the first flow, when the columns are final. */
static int table_init(NfcEngineObject *self, struct table *t)
{
    t->n_cols = self->n_columns;
    t->cols = PyMem_Calloc(t->n_cols ? t->n_cols : 1, sizeof *t->cols);
    if (!t->cols) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        t->cols[i].kind = kind_of(self->columns[i].type);
        t->cols[i].is_unsigned = self->columns[i].type == NFC_TYPE_UINT;
        t->cols[i].numeric_text = true;
    }
    return 0;
}

PyObject *nfcpy_engine_columns(NfcEngineObject *self, PyObject *unused)
{
    (void)unused;
    struct table t = {0};
    const struct nfc_flow *flow;
    int rc;
    while ((rc = nfcpy_engine_pull(self, &flow)) > 0) {
        if ((!t.cols && table_init(self, &t) < 0) || (t.rows == t.cap && grow(&t) < 0)) {
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            rc = -1;
        }
        for (size_t i = 0; rc > 0 && i < t.n_cols; i++) {
            struct nfc_value v;
            nfc_flow_value(self->eng, flow, i, &v);
            if (put(&t, &t.cols[i], t.rows, &v) < 0)
                rc = -1;
        }
        if (rc < 0) {
            nfcpy_engine_close(self);
            break;
        }
        t.rows++;
    }
    PyObject *result = rc < 0 ? NULL : t.rows ? finish(self, &t) : Py_NewRef(Py_None);
    table_free(&t);
    return result;
}
