/*
 * A plain main for the fuzz targets where libFuzzer is not linked in
 * (any build without --enable-fuzzing): make check runs each target on
 * its checked-in seeds, so a change that breaks a target, or a seed
 * that now crashes it, fails at once.
 *
 *	fuzz-NAME [FILE|DIR]...
 *
 * Without arguments it reads $top_srcdir/fuzz/corpus/NAME/ (NAME from
 * the program's name; make check sets top_srcdir).  Each file is given
 * to LLVMFuzzerTestOneInput whole and then cut at every shorter length,
 * each time in a buffer of exactly that size so that a sanitizer or
 * valgrind sees a read past its end.  The target calls abort() on what
 * it finds wrong.  Exit 0, or 99 (a hard error to automake) if an input
 * cannot be read or none is found.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not seeds. */
#define SEED_MAX	(1 << 20)

static int inputs;

/* Run the target on path's contents and on each of their prefixes.
 * 0, or -1 if the file cannot be read. */
static int
run_file(const char *path)
{
	unsigned char *all, *cut;
	size_t len, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((all = malloc(SEED_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	len = fread(all, 1, SEED_MAX + 1, f);
	if (ferror(f) || len > SEED_MAX) {
		fprintf(stderr, "%s: cannot read, or larger than %d bytes\n", path, SEED_MAX);
		fclose(f);
		free(all);
		return -1;
	}
	fclose(f);
	for (n = len + 1; n-- > 0;) {
		/* malloc(0) may return NULL; the target gets a valid pointer. */
		if ((cut = malloc(n ? n : 1)) == NULL) {
			free(all);
			return -1;
		}
		memcpy(cut, all, n);
		LLVMFuzzerTestOneInput(cut, n);
		free(cut);
	}
	free(all);
	inputs++;
	return 0;
}

/* A file, or every regular file in a directory (not recursive). */
static int
run_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	char file[4096];
	DIR *d;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (de->d_name[0] == '.' || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(file) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *name, *top;
	char dir[4096];
	int i, rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run_path(argv[i]) != 0)
				rc = 1;
	} else {
		name = strrchr(argv[0], '/');
		name = name ? name + 1 : argv[0];
		if (strncmp(name, "fuzz-", 5) == 0)
			name += 5;
		if ((top = getenv("top_srcdir")) == NULL) {
			fprintf(stderr, "usage: %s FILE|DIR... (or top_srcdir set)\n", argv[0]);
			return 99;
		}
		snprintf(dir, sizeof(dir), "%s/fuzz/corpus/%s", top, name);
		rc = run_path(dir) != 0;
	}
	if (rc != 0 || inputs == 0) {
		fprintf(stderr, "%s: %d inputs run; %s\n", argv[0], inputs,
		    inputs ? "some could not be read" : "none found");
		return 99;
	}
	printf("%s: %d inputs and their prefixes passed\n", argv[0], inputs);
	return 0;
}
