/*
 * svg.h: helpers shared by the SVG charts (radar_svg.c, loss_svg.c).
 */
#ifndef ISMSEVAL_SVG_H
#define ISMSEVAL_SVG_H

#include "postgres.h"

#include "lib/stringinfo.h"

/* Appends text XML-escaped, without C0/C1 control characters or U+FFFE/U+FFFF (radar_svg.c). */
extern void append_xml_text(StringInfo buf, const char *s, int len);

#endif							/* ISMSEVAL_SVG_H */
