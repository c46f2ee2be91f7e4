// SPDX-License-Identifier: GPL-2.0
/*
 * SVG plots for people who would rather look than read. Both are plain
 * shapes and text on a white background, so any viewer (and
 * rsvg-convert, which the tests render them with) shows them alike.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "svg.h"

#define FONT	"font-family=\"sans-serif\""

static void text_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			/* control bytes are not allowed in XML */
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
		}
	}
}

static const char *call_color(const char *call)
{
	if (!strcmp(call, "regressed"))
		return "#d62728";
	if (!strcmp(call, "improved"))
		return "#2ca02c";
	if (!strcmp(call, "inconclusive"))
		return "#ff9f1c";
	return "#7f7f7f";
}

/* percent of A to x: 0 % at the left edge of the plot, 300 % at the right */
static double bar_x(double pct, double x0, double w)
{
	if (pct < 0)
		pct = 0;
	if (pct > 300)
		pct = 300;
	return x0 + pct / 300 * w;
}

void svg_compare(FILE *f, const char *title, const struct svg_bar *bars,
		 int n)
{
	const double x0 = 330, w = 450, row = 26, top = 50;
	double h = top + n * row + 30;
	int i;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"%.0f\" font-size=\"11\">\n", h);
	fprintf(f, "<rect width=\"800\" height=\"%.0f\" fill=\"white\"/>\n", h);
	fprintf(f, "<text x=\"10\" y=\"20\" " FONT " font-size=\"13\">");
	text_escaped(f, title);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"10\" y=\"38\" " FONT ">B's median in %% of A's (grey: A = 100 %%), whiskers: 95 %% interval</text>\n");
	/* the 100 % line: A */
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"black\" stroke-dasharray=\"4 3\"/>\n",
		bar_x(100, x0, w), top - 6, bar_x(100, x0, w), top + n * row);
	for (i = 0; i < n; i++) {
		const struct svg_bar *b = &bars[i];
		double y = top + i * row, xb = bar_x(100 + b->change, x0, w);
		double xl = bar_x(100 + b->lo, x0, w), xh = bar_x(100 + b->hi, x0, w);

		fprintf(f, "<text x=\"10\" y=\"%.0f\" " FONT ">", y + 15);
		text_escaped(f, b->label);
		fputs("</text>\n", f);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"8\" fill=\"#c7c7c7\"/>\n",
			x0, y + 3, bar_x(100, x0, w) - x0);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"8\" fill=\"%s\"/>\n",
			x0, y + 12, xb - x0 > 0.5 ? xb - x0 : 0.5,
			call_color(b->call));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"black\"/>\n",
			xl, y + 16, xh, y + 16);
		/* right of the bar and its whisker, but on the canvas */
		xl = (xh > xb ? xh : xb) + 4;
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" " FONT ">%+.1f%% %s</text>\n",
			xl > 690 ? 690 : xl, y + 20,
			isfinite(b->change) ? b->change : 0, b->call);
	}
	fputs("</svg>\n", f);
}

/* white (idle) through blue to black (4 or more runnable) */
static void depth_color(unsigned int nr, char *buf, size_t len)
{
	static const char *const shades[] = {
		"#ffffff", "#c6dbef", "#6baed6", "#2171b5", "#08306b",
	};

	snprintf(buf, len, "%s", shades[nr > 4 ? 4 : nr]);
}

int svg_timeline(FILE *f, const char *title, const struct json_val *dump)
{
	const struct json_val *s = json_get(dump, "rq_series"), *t, *nr, *ph;
	double end_ms, x0 = 60, w = 720, row, top = 60, y;
	int cpus, i, c;
	char color[16];

	t = json_get(s, "t_ms");
	nr = json_get(s, "nr_running");
	ph = json_get(s, "phases");
	if (!t || t->type != JSON_ARR || t->nr < 2 || !nr ||
	    nr->type != JSON_ARR || !nr->nr)
		return -1;
	cpus = nr->nr > 64 ? 64 : nr->nr;
	end_ms = t->kids[t->nr - 1].n > 0 ? t->kids[t->nr - 1].n : 1;
	row = 400.0 / cpus > 20 ? 20 : 400.0 / cpus < 4 ? 4 : 400.0 / cpus;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"%.0f\" font-size=\"11\">\n",
		top + cpus * row + 40);
	fprintf(f, "<rect width=\"800\" height=\"%.0f\" fill=\"white\"/>\n",
		top + cpus * row + 40);
	fprintf(f, "<text x=\"10\" y=\"20\" " FONT " font-size=\"13\">");
	text_escaped(f, title);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"10\" y=\"38\" " FONT ">runnable tasks per CPU over time (white 0, darker more, black 4+); phases marked</text>\n");
	for (c = 0; c < cpus; c++) {
		const struct json_val *v = &nr->kids[c];

		y = top + c * row;
		if (row >= 8)
			fprintf(f, "<text x=\"10\" y=\"%.1f\" " FONT ">cpu%d</text>\n",
				y + row - 3, c);
		for (i = 0; v->type == JSON_ARR && i < v->nr && i < t->nr - 1; i++) {
			double a = t->kids[i].n, b = t->kids[i + 1].n;
			unsigned int d = v->kids[i].type == JSON_NUM &&
					 v->kids[i].n > 0 ? (unsigned int)v->kids[i].n : 0;

			if (!d || b <= a)
				continue;
			depth_color(d, color, sizeof(color));
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
				x0 + a / end_ms * w, y, (b - a) / end_ms * w + 0.3,
				row - 1, color);
		}
	}
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n",
		x0, top, w, cpus * row);
	for (i = 0; ph && ph->type == JSON_ARR && i < ph->nr; i++) {
		double at;

		if (!json_get_num(&ph->kids[i], "start_ms", &at) || at < 0 ||
		    at > end_ms)
			continue;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\"/>\n",
			x0 + at / end_ms * w, top - 8, x0 + at / end_ms * w,
			top + cpus * row);
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" " FONT " fill=\"#d62728\">",
			x0 + at / end_ms * w + 2, top - 10);
		text_escaped(f, json_get_str(&ph->kids[i], "label"));
		fputs("</text>\n", f);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" " FONT ">0 ms</text>\n", x0,
		top + cpus * row + 16);
	fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" " FONT " text-anchor=\"end\">%.0f ms</text>\n",
		x0 + w, top + cpus * row + 16, end_ms);
	fputs("</svg>\n", f);
	return 0;
}
