"""The names that libnfcore's public headers declare: core/include/nfcore/*.h and the SDK, sdk/nfcore/*.h."""
import glob
import os
import re

HEADERS = ('core/include/nfcore/*.h', 'sdk/nfcore/*.h')


def strip_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.DOTALL)


def public_headers(root):
    return sorted(p for pattern in HEADERS for p in glob.glob(os.path.join(root, pattern)))


def declared_functions(root):
    """The public API's functions: every nfc_* name written as a function (NAME followed by '(') in the public
    headers, function pointer types `(*NAME)(` aside."""
    names = set()
    for path in public_headers(root):
        with open(path) as f:
            text = strip_comments(f.read())
        text = re.sub(r'\(\s*\*\s*\w+\s*\)', ' ', text)
        names.update(re.findall(r'\b(nfc_\w*)\s*\(', text))
    return names
