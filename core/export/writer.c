/* The CSV and JSON lines writers: synchronous sinks that encode a flow in one format and write it to a FILE, the
 * caller's or files of their own (chunks of flows_per_file flows, each with its header, rotated over rotate_files
 * names). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nfcore/nfcore.h>

#include "export/format.h"
#include "export/sink.h"
#include "export/writer.h"
#include "schema/schema.h"
#include "util/alloc.h"
#include "util/error.h"

struct nfc_writer {
    const struct nfc_schema *schema;
    const struct nfc_format_ops *format;
    const struct nfc_column *columns;
    size_t n_columns;
    FILE *out; /* NULL while a writer of its own files has none open */
    struct nfc_sink *sink;
    uint64_t flows;
    /* Files of its own (nfc_writer_open_files); path is NULL when the FILE is the caller's. */
    char *path;
    struct nfc_file_output output;
    bool line_buffered;
    char *buffer;     /* the open file's stdio buffer */
    uint64_t chunk;   /* chunks opened so far */
    uint64_t in_file; /* flows in the open file */
    char error[512];  /* a file's failure to open or close ("" when none) */
};

enum { FILE_BUFFER = 1 << 20 };

static void encode_flow(void *state, const struct nfc_flow *flow, struct nfc_text *out)
{
    const struct nfc_writer *w = state;
    struct nfc_value v;
    w->format->record_begin(out);
    for (size_t i = 0; i < w->n_columns; i++) {
        nfc_schema_value(w->schema, flow, i, &v);
        w->format->field(out, &w->columns[i], i, &v);
    }
    w->format->record_end(out);
}

static int write_bytes(void *state, const char *bytes, size_t len, char *err, size_t errlen)
{
    const struct nfc_writer *w = state;
    if (len && fwrite(bytes, 1, len, w->out) != len)
        return nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    return 0;
}

static int flush_file(void *state, char *err, size_t errlen)
{
    const struct nfc_writer *w = state;
    if (w->out && fflush(w->out) != 0)
        return nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    return 0;
}

/* The state is the writer itself, freed by nfc_writer_close. */
static const struct nfc_sink_ops file_sink = {.encode = encode_flow, .send = write_bytes, .flush = flush_file};

static const struct nfc_format_ops *format_ops(enum nfc_format format)
{
    switch (format) {
    case NFC_FORMAT_CSV: return &nfc_csv_format;
    case NFC_FORMAT_JSONL: return &nfc_jsonl_format;
    }
    return NULL;
}

static int write_header(struct nfc_writer *w, char *err, size_t errlen)
{
    if (!w->format->header)
        return 0;
    struct nfc_text header = {0};
    w->format->header(&header, w->columns, w->n_columns);
    int rc =
        header.failed ? nfc_errorf(err, errlen, "out of memory") : write_bytes(w, header.p, header.len, err, errlen);
    nfc_text_free(&header);
    return rc;
}

/* A writer over `schema` and its synchronous sink, with no file yet. */
static struct nfc_writer *writer_new(const struct nfc_schema *schema, enum nfc_format format, char *err, size_t errlen)
{
    const struct nfc_format_ops *ops = format_ops(format);
    if (!ops) {
        nfc_errorf(err, errlen, "unknown output format %d", (int)format);
        return NULL;
    }
    struct nfc_writer *w = nfc_calloc(1, sizeof *w);
    if (!w) {
        nfc_errorf(err, errlen, "out of memory");
        return NULL;
    }
    *w = (struct nfc_writer){.schema = schema, .format = ops, .columns = schema->columns, .n_columns = schema->count};
    static const struct nfc_sink_options synchronous = {.queue = 0};
    if (!(w->sink = nfc_sink_open(&file_sink, w, &synchronous, err, errlen))) {
        nfc_free(w);
        return NULL;
    }
    return w;
}

static void writer_free(struct nfc_writer *w)
{
    nfc_free(w->path);
    nfc_free(w->buffer);
    nfc_free(w);
}

struct nfc_writer *nfc_writer_open_schema(const struct nfc_schema *schema, enum nfc_format format, FILE *out, char *err,
                                          size_t errlen)
{
    struct nfc_writer *w = writer_new(schema, format, err, errlen);
    if (!w)
        return NULL;
    w->out = out;
    if (write_header(w, err, errlen) < 0) {
        nfc_sink_close(w->sink, NULL, NULL, 0);
        writer_free(w);
        return NULL;
    }
    return w;
}

size_t nfc_file_output_chunk_path(const char *path, enum nfc_format format, uint64_t k, char *buf, size_t size)
{
    const char *ext = format == NFC_FORMAT_JSONL ? ".jsonl" : ".csv";
    size_t len = strlen(path), ext_len = strlen(ext);
    if (len >= ext_len && strcmp(path + len - ext_len, ext) == 0)
        len -= ext_len;
    int n = snprintf(buf, size, "%.*s.%" PRIu64 "%s", (int)len, path, k, ext);
    return n < 0 ? 0 : (size_t)n;
}

/* The offset just after the last newline of the first `size` bytes of the file that `in` reads (0: none). Returns
 * -1 when the file cannot be read. */
static off_t last_row_end(int in, off_t size)
{
    char block[4096];
    for (off_t end = size; end > 0;) {
        off_t start = end > (off_t)sizeof block ? end - (off_t)sizeof block : 0;
        if (pread(in, block, (size_t)(end - start), start) != end - start)
            return -1;
        const char *nl = memrchr(block, '\n', (size_t)(end - start));
        if (nl)
            return start + (nl - block) + 1;
        end = start;
    }
    return 0;
}

/* After a failed write, cuts a regular file back to its last complete row: a full disk takes a record's first bytes
 * and refuses the rest, and a reader must never see half a row. Rows end in the only raw newlines the formats
 * write. The file is read through /proc, as `fd` may be open for writing only (a shell's redirection). Returns 0,
 * or -1 when the file could not be read or cut (the write's own error is the one reported). */
static int trim_partial_row(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    int in = open(self, O_RDONLY | O_CLOEXEC);
    off_t end = last_row_end(in >= 0 ? in : fd, st.st_size);
    if (in >= 0)
        close(in);
    return end < 0 ? -1 : end < st.st_size ? ftruncate(fd, end) : 0;
}

static bool sink_failed(const struct nfc_writer *w)
{
    return nfc_sink_error(w->sink)[0] != '\0';
}

/* Closes the open file of a writer of its own files (the caller's FILE stays open); after a failure (`failed`: a
 * write before), the file keeps only its complete rows, trimmed once stdio has written all it would. Returns 0, or
 * -1 with a message in err. */
static int close_file(struct nfc_writer *w, bool failed, char *err, size_t errlen)
{
    if (!w->path || !w->out)
        return 0;
    int rc = fflush(w->out) == 0 ? 0 : nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    int fd = dup(fileno(w->out));
    if (fclose(w->out) != 0 && rc == 0)
        rc = nfc_errorf(err, errlen, "write failed: %s", strerror(errno));
    w->out = NULL;
    if (rc < 0 || failed)
        trim_partial_row(fd);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Creates (or, appending, opens) the file `name` and writes the header unless the file already holds rows. */
static int open_file(struct nfc_writer *w, const char *name, bool append, char *err, size_t errlen)
{
    if (!(w->out = fopen(name, append ? "a" : "w")))
        return nfc_errorf(err, errlen, "%s: %s", name, strerror(errno));
    /* Live flows are written as they expire, so that a reader of the file sees them at once. */
    setvbuf(w->out, w->buffer, w->line_buffered ? _IOLBF : _IOFBF, FILE_BUFFER);
    w->in_file = 0;
    struct stat st;
    if (append && fstat(fileno(w->out), &st) == 0 && st.st_size > 0)
        return 0;
    return write_header(w, err, errlen);
}

/* Starts the next chunk: closes the open file, creates the chunk's (its header first). */
static int open_next_file(struct nfc_writer *w, char *err, size_t errlen)
{
    if (close_file(w, sink_failed(w), err, errlen) < 0)
        return -1;
    const struct nfc_file_output *o = &w->output;
    uint64_t k = o->rotate_files ? w->chunk % o->rotate_files : w->chunk;
    char name[4096];
    size_t len = o->flows_per_file ? nfc_file_output_chunk_path(w->path, o->format, k, name, sizeof name)
                                   : (size_t)snprintf(name, sizeof name, "%s", w->path);
    if (len >= sizeof name)
        return nfc_errorf(err, errlen, "%s: file name too long", w->path);
    w->chunk++;
    return open_file(w, name, false, err, errlen);
}

struct nfc_writer *nfc_writer_open_files(const struct nfc_schema *schema, const struct nfc_file_output *output,
                                         bool line_buffered, char *err, size_t errlen)
{
    if (!output->path) {
        nfc_errorf(err, errlen, "no output path");
        return NULL;
    }
    struct nfc_writer *w = writer_new(schema, output->format, err, errlen);
    if (!w)
        return NULL;
    w->output = *output;
    w->line_buffered = line_buffered;
    w->path = nfc_strdup(output->path);
    w->buffer = nfc_malloc(FILE_BUFFER);
    int rc = w->path && w->buffer ? 0 : nfc_errorf(err, errlen, "out of memory");
    if (rc == 0 && !output->lazy)
        rc = open_next_file(w, err, errlen);
    if (rc < 0) {
        nfc_sink_close(w->sink, NULL, NULL, 0);
        close_file(w, false, NULL, 0);
        writer_free(w);
        return NULL;
    }
    w->output.path = w->path;
    return w;
}

int nfc_writer_write(struct nfc_writer *w, const struct nfc_flow *flow)
{
    /* After a failed write nothing more goes out: the rows after it would follow a partial one. */
    if (w->error[0] || sink_failed(w))
        return -1;
    bool new_file = w->path && (!w->out || (w->output.flows_per_file && w->in_file == w->output.flows_per_file));
    if (new_file && open_next_file(w, w->error, sizeof w->error) < 0)
        return -1;
    if (nfc_sink_put(w->sink, flow) < 0)
        return -1;
    w->flows++;
    w->in_file++;
    return 0;
}

int nfc_writer_reopen(struct nfc_writer *w)
{
    if (w->error[0] || sink_failed(w))
        return -1;
    if (!w->path || !w->out)
        return 0;
    int rc = -1;
    if (w->output.flows_per_file)
        rc = open_next_file(w, w->error, sizeof w->error);
    else if (close_file(w, false, w->error, sizeof w->error) == 0)
        /* Appended to: a file still there (renamed nowhere) keeps its rows, and gets no second header. */
        rc = open_file(w, w->path, true, w->error, sizeof w->error);
    /* The new file shows its header at once, as whoever rotated it may look. */
    if (rc == 0 && fflush(w->out) != 0)
        rc = nfc_errorf(w->error, sizeof w->error, "write failed: %s", strerror(errno));
    return rc;
}

uint64_t nfc_writer_flows(const struct nfc_writer *w)
{
    return w->flows;
}

const char *nfc_writer_error(const struct nfc_writer *w)
{
    return w->error[0] ? w->error : nfc_sink_error(w->sink);
}

int nfc_writer_close(struct nfc_writer *w, char *err, size_t errlen)
{
    if (!w)
        return 0;
    char sink_err[512], file_err[512];
    int sent = nfc_sink_close(w->sink, NULL, sink_err, sizeof sink_err);
    bool failed = sent < 0 || w->error[0];
    int closed = close_file(w, failed, file_err, sizeof file_err);
    if (!w->path && failed) {
        /* Nothing more of this output may reach the file, not even what stdio still holds for the caller's close. */
        __fpurge(w->out);
        trim_partial_row(fileno(w->out));
    }
    /* The first failure is the one reported: a file that did not open, a write or the flush, then the close. */
    const char *first = w->error[0] ? w->error : sent < 0 ? sink_err : closed < 0 ? file_err : NULL;
    if (first)
        nfc_errorf(err, errlen, "%s", first);
    writer_free(w);
    return first ? -1 : 0;
}
