/* onnx: classifies flows with an ONNX model, run by ONNX Runtime.
 *
 *     nfcore -r capture.pcap --statistical-analysis --splt-analysis 4 \
 *         --plugin 'onnx.so:model=flows.onnx,features=src2dst_packets;bidirectional_mean_ps;splt_ps[2],at=expire'
 *
 * Arguments:
 *   model=PATH           the model: one float input, [F] or [batch, F]; a probability output (a float tensor
 *                        [batch, C], or a ZipMap's sequence of maps) and, optionally, a label output (an int64 or
 *                        string tensor), as skl2onnx and the ai.onnx.ml classifiers write them
 *   features=a;b;c       the F inputs in order: core columns, elements of list columns (splt_ps[2]), fields of
 *                        plugins loaded before this one; their values after the packet of the prediction
 *   at=N|expire          predict when the flow reaches N packets (early classification), or when it ends
 *   expire_on_predict=1  with at=N: end the flow once predicted (expiration_id -1)
 *   name=X               the columns' prefix (default onnx), so that models can run side by side
 *   ort_library=PATH     libonnxruntime.so.1; else $NFCORE_ONNXRUNTIME, else the one found at build time
 *
 * udps.X_label holds the model's label (a string or an integer), or the index of the most probable class for a
 * model that gives probabilities alone; udps.X_probability holds the largest probability, that of the predicted
 * class. Both are empty for a flow that never reached the prediction point. A feature that is empty, not a
 * number, or a list element beyond the list's end is given to the model as NaN.
 *
 * ONNX Runtime is loaded with dlopen, so that nfcore and this plugin need it only when a model is used.
 */
#include <nfcore/plugin.h>

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <onnxruntime_c_api.h>

#ifndef NFC_ONNXRUNTIME_LIBRARY
#define NFC_ONNXRUNTIME_LIBRARY "libonnxruntime.so.1" /* searched in the library path */
#endif

enum {
    MAX_AT = 1000000000,
    MAX_NAME = 64,
    MAX_FEATURE_NAME = 256,
};

enum label_kind {
    LABEL_INDEX,  /* no label output: the index of the largest probability */
    LABEL_INT,    /* an int64 label tensor */
    LABEL_STRING, /* a string label tensor */
};

struct feature {
    nfc_field_ref ref;
    bool indexed; /* an element of a list column, name[index] */
    size_t index;
};

struct onnx_state {
    struct nfc_string label_text; /* LABEL_STRING */
    struct nfc_opt_int label_int; /* LABEL_INT, LABEL_INDEX */
    struct nfc_opt_float probability;
};

/* Run's outputs, in this order; the label is asked for only when the model has one. */
enum { OUT_PROBABILITY, OUT_LABEL };

struct onnx {
    char *model; /* the model's path, in every message */
    int64_t at;  /* packets at the prediction; 0: at expiry */
    bool expire_on_predict;
    struct feature *features;
    size_t n_features;
    void *library;
    const OrtApi *ort;
    OrtEnv *env;
    OrtSession *session;
    OrtAllocator *allocator; /* ONNX Runtime's default, owns the names below */
    OrtMemoryInfo *memory;
    float *values;   /* the features of the flow being predicted ... */
    OrtValue *input; /* ... seen by the model through this tensor, made once */
    char *input_name;
    char *output_name[2]; /* indexed by OUT_* */
    size_t n_outputs;
    enum label_kind label_kind;
    bool probability_map; /* a ZipMap's sequence of maps rather than a tensor */
    char *text;           /* the last string label */
    size_t text_cap;
    bool reported; /* a failed prediction has been reported: later ones are not */
    char error[512];
};

/* ---- errors ----------------------------------------------------------------------------------------------- */

/* Sets the error of `o`, on one line: ONNX Runtime's messages may span several. */
static int fail(struct onnx *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
    for (char *p = o->error; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return -1;
}

/* True for a failed status, which becomes the error of `o` ("MODEL: what: message"). */
static bool failed(struct onnx *o, OrtStatus *status, const char *what)
{
    if (!status)
        return false;
    fail(o, "%s: %s: %s", o->model, what, o->ort->GetErrorMessage(status));
    o->ort->ReleaseStatus(status);
    return true;
}

/* ---- arguments -------------------------------------------------------------------------------------------- */

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return n > 0 && n <= MAX_NAME;
}

static int parse_at(struct onnx *o, const char *at)
{
    if (!at)
        return fail(o, "missing argument at: at=N (packets) or at=expire");
    if (strcmp(at, "expire") == 0) {
        o->at = 0;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll(at, &end, 10);
    if (!isdigit((unsigned char)*at) || *end || errno || n < 1 || n > MAX_AT)
        return fail(o, "argument at: '%s' is neither 'expire' nor a packet count in 1..%d", at, MAX_AT);
    o->at = n;
    return 0;
}

/* Reads every argument; `name` and `library` are left for the later steps. */
static int parse_arguments(struct nfc_setup *ctx, struct onnx *o, const char **features, const char **name,
                           const char **library)
{
    const char *model = ctx->arg(ctx, "model");
    const char *at = ctx->arg(ctx, "at");
    *features = ctx->arg(ctx, "features");
    *name = ctx->arg(ctx, "name");
    *library = ctx->arg(ctx, "ort_library");
    int64_t expire;
    if (ctx->arg_int(ctx, "expire_on_predict", 0, 1, 0, &expire) < 0)
        return -1;
    o->expire_on_predict = expire == 1;
    if (!*name)
        *name = "onnx";
    if (!model || !*model)
        return fail(o, "missing argument model=PATH");
    if (!*features || !**features)
        return fail(o, "missing argument features=NAME;NAME;...");
    if (!valid_name(*name))
        return fail(o, "argument name: '%s' is not 1 to %d letters, digits or _", *name, MAX_NAME);
    if (parse_at(o, at) < 0)
        return -1;
    if (o->expire_on_predict && o->at == 0)
        return fail(o, "expire_on_predict=1 needs at=N: at expiry the flow ends anyway");
    o->model = strdup(model);
    if (!o->model)
        return fail(o, "out of memory");
    return 0;
}

/* ---- features --------------------------------------------------------------------------------------------- */

/* One feature, `len` bytes at `text`: NAME or NAME[INDEX]. */
static int resolve_feature(struct nfc_setup *ctx, struct onnx *o, const char *text, size_t len, struct feature *f)
{
    char name[MAX_FEATURE_NAME];
    if (len == 0)
        return fail(o, "argument features: an empty name");
    if (len >= sizeof name)
        return fail(o, "argument features: '%.*s...' is too long", 32, text);
    memcpy(name, text, len);
    name[len] = '\0';
    char *bracket = strchr(name, '[');
    if (bracket) {
        char *end;
        errno = 0;
        unsigned long long index = strtoull(bracket + 1, &end, 10);
        if (!isdigit((unsigned char)bracket[1]) || errno || end[0] != ']' || end[1] != '\0')
            return fail(o, "feature '%s': an element is written name[index]", name);
        f->indexed = true;
        f->index = (size_t)index;
        *bracket = '\0';
    }
    if (ctx->lookup(ctx, name, &f->ref) != 0)
        return fail(o,
                    "unknown feature '%s': neither a column of this run (statistics need "
                    "--statistical-analysis, splt_* --splt-analysis N) nor a field of a plugin loaded before onnx",
                    name);
    return 0;
}

static int resolve_features(struct nfc_setup *ctx, struct onnx *o, const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ';';
    o->features = calloc(n, sizeof *o->features);
    if (!o->features)
        return fail(o, "out of memory");
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ";");
        if (resolve_feature(ctx, o, p, len, &o->features[o->n_features]) < 0)
            return -1;
        o->n_features++;
        p += len;
        if (!*p)
            return 0;
    }
}

/* ---- runtime ---------------------------------------------------------------------------------------------- */

static int load_runtime(struct onnx *o, const char *path)
{
    if (!path)
        path = getenv("NFCORE_ONNXRUNTIME");
    if (!path || !*path)
        path = NFC_ONNXRUNTIME_LIBRARY;
    /* Never unloaded: ONNX Runtime keeps process-wide state (its environment, thread-locals) past a session. */
    o->library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!o->library)
        return fail(o,
                    "cannot load ONNX Runtime: %s (give ort_library=PATH or set NFCORE_ONNXRUNTIME, or run "
                    "scripts/install-onnxruntime.sh and rebuild)",
                    dlerror());
    const OrtApiBase *(*api_base)(void);
    *(void **)&api_base = dlsym(o->library, "OrtGetApiBase");
    if (!api_base)
        return fail(o, "%s: no OrtGetApiBase(): not ONNX Runtime", path);
    const OrtApiBase *base = api_base();
    /* A library older than the header returns no API. */
    o->ort = base ? base->GetApi(ORT_API_VERSION) : NULL;
    if (!o->ort)
        return fail(o, "%s: ONNX Runtime %s does not offer API version %d (1.%d or later is needed)", path,
                    base ? base->GetVersionString() : "?", ORT_API_VERSION, ORT_API_VERSION);
    return 0;
}

/* One session for this meter, on its own thread alone: ONNX Runtime starts no threads for it. */
static int open_session(struct onnx *o)
{
    const OrtApi *ort = o->ort;
    if (access(o->model, R_OK) != 0)
        return fail(o, "model %s: %s", o->model, strerror(errno));
    OrtSessionOptions *options = NULL;
    bool bad = failed(o, ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "nfcore-onnx", &o->env), "creating the runtime") ||
               failed(o, ort->GetAllocatorWithDefaultOptions(&o->allocator), "getting the allocator") ||
               failed(o, ort->CreateSessionOptions(&options), "creating the session options") ||
               failed(o, ort->SetIntraOpNumThreads(options, 1), "setting intra-op threads") ||
               failed(o, ort->SetInterOpNumThreads(options, 1), "setting inter-op threads") ||
               failed(o, ort->CreateSession(o->env, o->model, options, &o->session), "loading the model");
    ort->ReleaseSessionOptions(options);
    return bad ? -1 : 0;
}

/* The rank of the one input, a float tensor [F] or [batch, F], after checking F against the features. */
static int input_rank(struct onnx *o, size_t *rank)
{
    const OrtApi *ort = o->ort;
    size_t count;
    OrtTypeInfo *info = NULL;
    const OrtTensorTypeAndShapeInfo *tensor = NULL;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    int64_t dims[2] = {0, 0};
    *rank = 0;
    if (failed(o, ort->SessionGetInputCount(o->session, &count), "reading its inputs"))
        return -1;
    if (count != 1)
        return fail(o, "%s: the model has %zu inputs, one float tensor [F] or [batch, F] is needed", o->model, count);
    bool bad = failed(o, ort->SessionGetInputName(o->session, 0, o->allocator, &o->input_name), "reading its input") ||
               failed(o, ort->SessionGetInputTypeInfo(o->session, 0, &info), "reading its input") ||
               failed(o, ort->CastTypeInfoToTensorInfo(info, &tensor), "reading its input");
    if (!bad && tensor)
        bad = failed(o, ort->GetTensorElementType(tensor, &type), "reading its input") ||
              failed(o, ort->GetDimensionsCount(tensor, rank), "reading its input") ||
              ((*rank == 1 || *rank == 2) && failed(o, ort->GetDimensions(tensor, dims, *rank), "reading its input"));
    ort->ReleaseTypeInfo(info);
    if (bad)
        return -1;
    if (!tensor || type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || *rank < 1 || *rank > 2 || (*rank == 2 && dims[0] > 1))
        return fail(o, "%s: input '%s' must be a float tensor [F] or [batch, F]", o->model, o->input_name);
    /* A dimension below 1 is symbolic: any number of features fits. */
    int64_t width = dims[*rank - 1];
    if (width >= 1 && (uint64_t)width != o->n_features)
        return fail(o, "%s: the model takes %lld features, features= names %zu", o->model, (long long)width,
                    o->n_features);
    return 0;
}

/* The input tensor, made once over o->values: a prediction allocates nothing for its input. */
static int prepare_input(struct onnx *o)
{
    const OrtApi *ort = o->ort;
    size_t rank;
    if (input_rank(o, &rank) < 0)
        return -1;
    o->values = calloc(o->n_features, sizeof *o->values);
    if (!o->values)
        return fail(o, "out of memory");
    const int64_t shape[2] = {1, (int64_t)o->n_features};
    if (failed(o, ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &o->memory), "creating the input") ||
        failed(o,
               ort->CreateTensorWithDataAsOrtValue(o->memory, o->values, o->n_features * sizeof *o->values,
                                                   shape + 2 - rank, rank, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                                                   &o->input),
               "creating the input"))
        return -1;
    return 0;
}

/* Whether output `i` may hold the probabilities (a float tensor, or a sequence: of maps, as ZipMap writes), and
 * whether it may hold labels (*label LABEL_INT or LABEL_STRING, else LABEL_INDEX). */
static int classify_output(struct onnx *o, size_t i, bool *probability, bool *map, enum label_kind *label)
{
    const OrtApi *ort = o->ort;
    OrtTypeInfo *info = NULL;
    enum ONNXType kind = ONNX_TYPE_UNKNOWN;
    const OrtTensorTypeAndShapeInfo *tensor = NULL;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    bool bad = failed(o, ort->SessionGetOutputTypeInfo(o->session, i, &info), "reading its outputs") ||
               failed(o, ort->GetOnnxTypeFromTypeInfo(info, &kind), "reading its outputs");
    if (!bad && kind == ONNX_TYPE_TENSOR)
        bad = failed(o, ort->CastTypeInfoToTensorInfo(info, &tensor), "reading its outputs") ||
              failed(o, ort->GetTensorElementType(tensor, &type), "reading its outputs");
    ort->ReleaseTypeInfo(info);
    *probability = type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || kind == ONNX_TYPE_SEQUENCE;
    *map = kind == ONNX_TYPE_SEQUENCE;
    *label = type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64    ? LABEL_INT
             : type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING ? LABEL_STRING
                                                            : LABEL_INDEX;
    return bad ? -1 : 0;
}

/* The first float tensor or sequence is the probability output, the first int64 or string tensor the label. */
static int prepare_outputs(struct onnx *o)
{
    size_t count, probability_at = SIZE_MAX, label_at = SIZE_MAX;
    if (failed(o, o->ort->SessionGetOutputCount(o->session, &count), "reading its outputs"))
        return -1;
    for (size_t i = 0; i < count; i++) {
        bool probability, map;
        enum label_kind label;
        if (classify_output(o, i, &probability, &map, &label) < 0)
            return -1;
        if (probability && probability_at == SIZE_MAX) {
            probability_at = i;
            o->probability_map = map;
        } else if (label != LABEL_INDEX && label_at == SIZE_MAX) {
            label_at = i;
            o->label_kind = label;
        }
    }
    if (probability_at == SIZE_MAX)
        return fail(o, "%s: no probability output (a float tensor, or a sequence of maps as ZipMap writes)", o->model);
    if (o->probability_map && label_at == SIZE_MAX)
        return fail(o, "%s: a sequence of maps for probabilities, but no label output", o->model);
    o->n_outputs = label_at == SIZE_MAX ? 1 : 2;
    if (failed(o,
               o->ort->SessionGetOutputName(o->session, probability_at, o->allocator, &o->output_name[OUT_PROBABILITY]),
               "reading its outputs") ||
        (o->n_outputs == 2 &&
         failed(o, o->ort->SessionGetOutputName(o->session, label_at, o->allocator, &o->output_name[OUT_LABEL]),
                "reading its outputs")))
        return -1;
    return 0;
}

/* udps.<name>_label, typed after the model's labels, and udps.<name>_probability. */
static int declare_fields(struct nfc_setup *ctx, const struct onnx *o, const char *name)
{
    char label[MAX_NAME + 16], probability[MAX_NAME + 16];
    snprintf(label, sizeof label, "%s_label", name);
    snprintf(probability, sizeof probability, "%s_probability", name);
    const struct nfc_plugin_field label_text = NFC_FIELD(label, NFC_FIELD_STRING, struct onnx_state, label_text, 0);
    const struct nfc_plugin_field label_int = NFC_FIELD(label, NFC_FIELD_OPT_INT, struct onnx_state, label_int, 0);
    const struct nfc_plugin_field prob = NFC_FIELD(probability, NFC_FIELD_OPT_FLOAT, struct onnx_state, probability, 0);
    if (ctx->declare_field(ctx, o->label_kind == LABEL_STRING ? &label_text : &label_int) < 0 ||
        ctx->declare_field(ctx, &prob) < 0)
        return -1;
    return 0;
}

static void onnx_teardown(void *instance)
{
    struct onnx *o = instance;
    if (o->ort) {
        const OrtApi *ort = o->ort;
        ort->ReleaseValue(o->input);
        ort->ReleaseMemoryInfo(o->memory);
        char *names[] = {o->input_name, o->output_name[0], o->output_name[1]};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (names[i])
                ort->ReleaseStatus(ort->AllocatorFree(o->allocator, names[i]));
        ort->ReleaseSession(o->session);
        ort->ReleaseEnv(o->env);
    }
    if (o->library)
        dlclose(o->library);
    free(o->values);
    free(o->features);
    free(o->text);
    free(o->model);
    free(o);
}

static int onnx_setup(struct nfc_setup *ctx, void **instance)
{
    struct onnx *o = calloc(1, sizeof *o);
    if (!o) {
        ctx->error(ctx, "out of memory");
        return -1;
    }
    const char *features, *name, *library;
    if (parse_arguments(ctx, o, &features, &name, &library) < 0 || resolve_features(ctx, o, features) < 0 ||
        load_runtime(o, library) < 0 || open_session(o) < 0 || prepare_input(o) < 0 || prepare_outputs(o) < 0 ||
        declare_fields(ctx, o, name) < 0) {
        /* arg_int and declare_field set their own error */
        if (o->error[0])
            ctx->error(ctx, o->error);
        onnx_teardown(o);
        return -1;
    }
    if (o->expire_on_predict)
        ctx->allow_expiry(ctx);
    *instance = o;
    return 0;
}

/* ---- prediction ------------------------------------------------------------------------------------------- */

static float feature_value(const struct nfc_host *host, const struct nfc_flow_view *flow, const struct feature *f)
{
    struct nfc_value v;
    host->read(host, flow, f->ref, &v);
    if (v.missing)
        return NAN;
    if (f->indexed)
        return v.type == NFC_TYPE_INT_LIST && f->index < v.as.list.len ? (float)nfc_list_at(&v, f->index) : NAN;
    switch (v.type) {
    case NFC_TYPE_INT: return (float)v.as.i;
    case NFC_TYPE_UINT: return (float)v.as.u;
    case NFC_TYPE_FLOAT: return (float)v.as.f;
    default: return NAN;
    }
}

/* The largest probability and its index, in the probability tensor or in the values of the first map. */
static int read_probability(struct onnx *o, OrtValue *output, size_t *index, float *probability)
{
    const OrtApi *ort = o->ort;
    OrtValue *map = NULL, *values = NULL;
    OrtTensorTypeAndShapeInfo *info = NULL;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    size_t n = 0;
    float *p = NULL;
    OrtValue *tensor = output;
    bool bad =
        o->probability_map && (failed(o, ort->GetValue(output, 0, o->allocator, &map), "reading its probabilities") ||
                               failed(o, ort->GetValue(map, 1, o->allocator, &values), "reading its probabilities"));
    if (o->probability_map)
        tensor = values;
    bad = bad || failed(o, ort->GetTensorTypeAndShape(tensor, &info), "reading its probabilities") ||
          failed(o, ort->GetTensorElementType(info, &type), "reading its probabilities") ||
          failed(o, ort->GetTensorShapeElementCount(info, &n), "reading its probabilities") ||
          (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT &&
           failed(o, ort->GetTensorMutableData(tensor, (void **)&p), "reading its probabilities"));
    if (!bad && (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || n == 0))
        bad = fail(o, "%s: the probabilities are not floats", o->model) < 0;
    if (!bad) {
        *index = 0;
        for (size_t i = 1; i < n; i++)
            if (p[i] > p[*index])
                *index = i;
        *probability = p[*index];
    }
    ort->ReleaseTensorTypeAndShapeInfo(info);
    ort->ReleaseValue(values);
    ort->ReleaseValue(map);
    return bad ? -1 : 0;
}

static int read_label(const struct nfc_host *host, struct onnx *o, OrtValue *output, struct onnx_state *s)
{
    const OrtApi *ort = o->ort;
    if (o->label_kind == LABEL_INT) {
        int64_t *label;
        if (failed(o, ort->GetTensorMutableData(output, (void **)&label), "reading its label"))
            return -1;
        s->label_int = (struct nfc_opt_int){.value = label[0], .set = true};
        return 0;
    }
    size_t len;
    if (failed(o, ort->GetStringTensorElementLength(output, 0, &len), "reading its label"))
        return -1;
    if (len >= o->text_cap) { /* one more byte, so that an empty label has a text too */
        char *text = realloc(o->text, len + 1);
        if (!text)
            return fail(o, "out of memory");
        o->text = text;
        o->text_cap = len + 1;
    }
    if (failed(o, ort->GetStringTensorElement(output, len, 0, o->text), "reading its label"))
        return -1;
    if (host->string_set(host, &s->label_text, o->text, len) < 0)
        return fail(o, "out of memory");
    return 0;
}

static void predict(const struct nfc_host *host, struct onnx *o, struct onnx_state *s, const struct nfc_flow_view *flow)
{
    const OrtApi *ort = o->ort;
    for (size_t i = 0; i < o->n_features; i++)
        o->values[i] = feature_value(host, flow, &o->features[i]);
    OrtValue *out[2] = {NULL, NULL};
    size_t index;
    float probability;
    const char *const inputs[] = {o->input_name};
    const OrtValue *const values[] = {o->input};
    if (failed(o, ort->Run(o->session, NULL, inputs, values, 1, (const char *const *)o->output_name, o->n_outputs, out),
               "predicting") ||
        read_probability(o, out[OUT_PROBABILITY], &index, &probability) < 0 ||
        (o->label_kind != LABEL_INDEX && read_label(host, o, out[OUT_LABEL], s) < 0)) {
        /* The hooks have no way to fail: say it once, and leave this and later flows unpredicted. */
        if (!o->reported)
            fprintf(stderr, "onnx: %s\n", o->error);
        o->reported = true;
    } else {
        if (o->label_kind == LABEL_INDEX)
            s->label_int = (struct nfc_opt_int){.value = (int64_t)index, .set = true};
        s->probability = (struct nfc_opt_float){.value = probability, .set = true};
    }
    ort->ReleaseValue(out[0]);
    ort->ReleaseValue(out[1]);
}

/* on_init and on_update: the packet that brings the flow to `at` packets. */
static void onnx_packet(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow,
                        const struct nfc_packet *pkt)
{
    (void)pkt;
    struct onnx *o = instance;
    if (o->at == 0 || flow->scope[NFC_BIDIRECTIONAL].packets != (uint64_t)o->at)
        return;
    predict(host, o, state, flow);
    if (o->expire_on_predict)
        host->request_expiry(host, flow);
}

static void onnx_expire(const struct nfc_host *host, void *instance, void *state, const struct nfc_flow_view *flow)
{
    struct onnx *o = instance;
    if (o->at == 0)
        predict(host, o, state, flow);
}

static const struct nfc_plugin onnx_plugin = {
    NFC_PLUGIN_ABI,
    .name = "onnx",
    .version = "1.0",
    .description = "classifies flows with an ONNX model (ONNX Runtime): udps.<name>_label, udps.<name>_probability",
    .state_size = sizeof(struct onnx_state),
    .setup = onnx_setup,
    .on_init = onnx_packet,
    .on_update = onnx_packet,
    .on_expire = onnx_expire,
    .teardown = onnx_teardown,
};

NFC_PLUGIN_EXPORT(onnx_plugin)
