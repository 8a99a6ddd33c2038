"""The functions that libnfcore's public headers declare: the engine's API (core/include/nfcore/*.h) and the plugin
SDK (sdk/nfcore/*.h). Every one is named nfc_*."""
import glob
import os
import re

ENGINE_HEADERS = ('core/include/nfcore/*.h',)
HEADERS = ENGINE_HEADERS + ('sdk/nfcore/*.h',)


def header_text(root, patterns):
    """The headers' text without comments and function pointer declarators `(*NAME)`."""
    text = ''
    for path in sorted(p for pattern in patterns for p in glob.glob(os.path.join(root, pattern))):
        with open(path) as f:
            text += f.read() + '\n'
    text = re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.DOTALL)
    return re.sub(r'\(\s*\*\s*\w+\s*\)', ' ', text)


def declared_functions(root, patterns=HEADERS):
    """Every nfc_* name written as a function (NAME followed by '(') in the headers."""
    return set(re.findall(r'\b(nfc_\w*)\s*\(', header_text(root, patterns)))


def inline_functions(root, patterns=HEADERS):
    """The functions that the headers define themselves (static inline): no library defines them."""
    return set(re.findall(r'\bstatic\s+inline\b[^;{(]*\b(nfc_\w*)\s*\(', header_text(root, patterns)))
