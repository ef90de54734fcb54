/*
 * json.h
 *		Reading Chorus Pro's JSON answers with PostgreSQL's JSON parser,
 *		without throwing: a malformed answer is a fact to handle, not an error.
 */
#ifndef CHORUS_JSON_H
#define CHORUS_JSON_H

/* NULL if text is well-formed JSON, else what is wrong with it */
extern char *json_problem(char *text, int len);

/* A top-level field of a JSON object, as text; NULL if absent or null */
extern char *json_top_field(char *text, int len, const char *field);

#endif							/* CHORUS_JSON_H */
