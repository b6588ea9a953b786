/*
 * Themes: every shipped theme loads, colour syntaxes, ramp interpolation
 * and reduction, user themes override shipped ones, broken files fail
 * with FILE:LINE:COL.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/theme.h"

Test(theme, every_shipped_theme_loads)
{
    for (size_t i = 0; i < THEME_SHIPPED_COUNT; i++) {
        char path[128], err[512];
        snprintf(path, sizeof path, "themes/%s.yaml", theme_shipped[i]);
        theme t;
        cr_assert_eq(theme_load_file(&t, path, err, sizeof err), 0, "%s", err);
        cr_assert(t.monochrome || t.nramp >= 2, "%s has a ramp", path);
    }
    theme t;
    char err[512];
    cr_assert_eq(theme_load_file(&t, "themes/colorblind.yaml", err, sizeof err), 0);
    cr_assert_eq(t.nramp, 10, "viridis stops");
    cr_assert_eq(t.ramp[0].r, 0x44);
    cr_assert_eq(t.ramp[9].g, 0xe7);
    cr_assert_eq(theme_load_file(&t, "themes/mono.yaml", err, sizeof err), 0);
    cr_assert(t.monochrome);
}

static int load(theme *t, const char *text, char *err)
{
    return theme_load_string(t, "t.yaml", text, strlen(text), err, 512);
}

Test(theme, colour_syntaxes)
{
    theme t;
    char err[512];
    cr_assert_eq(load(&t, "header: {fg: bright-red, bg: 17}\nwarning: {fg: default, bg: \"#ff0000\"}\n"
                          "heatmap: [black, \"#ffffff\"]\n", err), 0, "%s", err);
    cr_assert_eq(t.header.fg, 9);
    cr_assert_eq(t.header.bg, 17);
    cr_assert_eq(t.warning.fg, -1);
    cr_assert_eq(t.warning.bg, 196, "#ff0000 is xterm 196");
    cr_assert_eq(t.nramp, 2);
    cr_assert_eq(t.critical.bg, 1, "unnamed parts keep the default");
}

Test(theme, broken_themes_fail_with_position)
{
    theme t;
    theme_default(&t);
    char err[512];
    cr_assert_eq(load(&t, "header: {fg: purple}\n", err), -1);
    cr_assert_str_eq(err, "t.yaml:1:14: fg: 'purple' is not a colour (a name like red or bright-red, 0-255, #rrggbb, default)");
    cr_assert_eq(load(&t, "heatmap: [red]\n", err), -1);
    cr_assert_str_eq(err, "t.yaml:1:10: heatmap: needs at least 2 colour stops");
    cr_assert_eq(load(&t, "heatmapp: [red, blue]\n", err), -1);
    cr_assert_str_eq(err, "t.yaml:1:1: unknown key 'heatmapp' in a theme; did you mean 'heatmap'?");
    cr_assert_eq(load(&t, "header: {fg: 256}\n", err), -1);
    cr_assert_eq(load(&t, "heatmap: [default, red]\n", err), -1);
    cr_assert_eq(load(&t, "bar: {fg: red, bg: blue, ul: x}\n", err), -1);
    cr_assert_str_eq(err, "t.yaml:1:26: unknown key 'ul' in bar");
    cr_assert_eq(load(&t, "header: {fg: red\n", err), -1);
    cr_assert(strstr(err, "t.yaml:2:1: not valid YAML") != NULL, "%s", err);
    cr_assert_eq(load(&t, "", err), -1);
    cr_assert_str_eq(err, "t.yaml:1:1: an empty theme");
    /* One loader for the configuration and themes: the same one-document rule. */
    cr_assert_eq(load(&t, "bar: {fg: red}\n---\nbar: {fg: blue}\n", err), -1);
    cr_assert_str_eq(err, "t.yaml:3:1: only one YAML document is allowed");
    cr_assert_str_eq(t.name, "default", "a failed load changes nothing");
}

Test(theme, colour_maths)
{
    cr_assert_eq(rgb_to_xterm256((rgb){ 0, 0, 0 }), 16);
    cr_assert_eq(rgb_to_xterm256((rgb){ 255, 255, 255 }), 231);
    cr_assert_eq(rgb_to_xterm256((rgb){ 0x5f, 0xaf, 0x00 }), 70);
    cr_assert_eq(rgb_to_ansi8((rgb){ 250, 10, 10 }), 1, "red");
    cr_assert_eq(rgb_to_ansi8((rgb){ 20, 20, 20 }), 0, "black");
    rgb c = xterm256_rgb(244);
    cr_assert_eq(c.r, 128);
    theme t;
    theme_default(&t);
    t.nramp = 2;
    t.ramp[0] = (rgb){ 0, 0, 0 };
    t.ramp[1] = (rgb){ 200, 100, 0 };
    rgb out[5];
    theme_ramp(&t, 5, out);
    cr_assert_eq(out[0].r, 0);
    cr_assert_eq(out[2].r, 100);
    cr_assert_eq(out[2].g, 50);
    cr_assert_eq(out[4].r, 200);
    cr_assert_eq(text_color_on((rgb){ 255, 255, 200 }), 16, "black on light");
    cr_assert_eq(text_color_on((rgb){ 20, 0, 80 }), 231, "white on dark");
}

Test(theme, user_theme_overrides_shipped_and_missing_is_an_error)
{
    char dir[64], sub[96], path[128];
    snprintf(dir, sizeof dir, "/tmp/l1top-theme-%d", (int)getpid());
    snprintf(sub, sizeof sub, "%s/l1top", dir);
    mkdir(dir, 0700);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/l1top/themes", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/light.yaml", sub);
    FILE *f = fopen(path, "w");
    fputs("heatmap: [white, \"#123456\"]\n", f);
    fclose(f);
    setenv("XDG_CONFIG_HOME", dir, 1);
    setenv("L1TOP_THEME_DIR", "themes", 1);
    theme t;
    char err[512];
    cr_assert_eq(theme_find(&t, "light", err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(t.path, path, "the user's file wins");
    cr_assert_eq(t.ramp[1].b, 0x56);
    cr_assert_eq(theme_find(&t, "colorblind", err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(t.path, "themes/colorblind.yaml");
    cr_assert_eq(theme_find(&t, "sparkly", err, sizeof err), -1);
    cr_assert(strstr(err, "theme 'sparkly' not found") != NULL, "%s", err);
    cr_assert_eq(theme_find(&t, "../etc", err, sizeof err), -1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("L1TOP_THEME_DIR");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
