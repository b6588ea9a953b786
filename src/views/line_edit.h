/*
 * line_edit.h - one line of text being typed (the TUI's prompts): bytes as
 * the terminal sends them, a cursor that moves and deletes by whole UTF-8
 * characters, so a name typed in any script is never cut in half. Pure: no
 * terminal here (tui_answers.c maps keys onto these).
 */
#ifndef L1TOP_LINE_EDIT_H
#define L1TOP_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_EDIT_MAX 256 /* bytes, NUL included */

typedef struct {
    char text[LINE_EDIT_MAX];
    size_t len;    /* bytes */
    size_t cur;    /* byte offset of the cursor, on a character boundary */
} line_edit;

void line_edit_set(line_edit *e, const char *text);   /* cursor at the end */
/* Insert one byte at the cursor (a UTF-8 sequence arrives a byte at a
 * time); false when full or a control byte. A sequence that the line
 * cannot hold whole is not started. */
bool line_edit_insert(line_edit *e, unsigned char byte);
bool line_edit_backspace(line_edit *e);  /* the character before the cursor */
bool line_edit_delete(line_edit *e);     /* the character under the cursor */
bool line_edit_left(line_edit *e);
bool line_edit_right(line_edit *e);
void line_edit_home(line_edit *e);
void line_edit_end(line_edit *e);
void line_edit_kill_to_start(line_edit *e);  /* ^U */
void line_edit_kill_word(line_edit *e);      /* ^W: the blanks before the cursor, then the word before them */

#endif
