#ifndef COPYDESK_CLIBXML2_SHIM_H
#define COPYDESK_CLIBXML2_SHIM_H

// xmlversion.h first: Debian builds libxml2 with ICU, and the system ICU headers clash with the ICU
// bundled in Foundation in any Swift file that imports both. Undefining the switch keeps libxml2's
// headers from pulling ICU in.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <libxml/xpath.h>

/// `xmlFree` is a global function pointer, which Swift 6 refuses to call under strict concurrency.
static inline void copydesk_xmlFree(void *pointer) {
    xmlFree(pointer);
}

#endif
