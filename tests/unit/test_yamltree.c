#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "yamltree.h"

static struct ynode *
parse(const char *text, char *err)
{
	return ynode_parse(text, strlen(text), err, 256);
}

static void
test_front_matter_shapes(void **state)
{
	char err[256];
	const char *text = "title: 라스베가스를 다녀오고... 4편\n"
			   "tags: [reinvent, 여행]\n"
			   "category:\n"
			   "  - [기타, 잡동사니]\n"
			   "  - 여행\n"
			   "date: 2021-12-31 21:28:31\n"
			   "quoted: \"2021\"\n";
	struct ynode *root = parse(text, err);
	const struct ynode *tags, *cat;

	(void)state;
	assert_non_null(root);
	assert_string_equal(
	    ynode_str(root, "title", NULL), "라스베가스를 다녀오고... 4편");
	tags = ynode_get(root, "tags");
	assert_int_equal(tags->kind, YNODE_LIST);
	assert_int_equal(ynode_count(tags), 2);
	assert_string_equal(tags->child->next->value, "여행");
	cat = ynode_get(root, "category");
	assert_int_equal(cat->line, 3);
	assert_int_equal(cat->child->kind, YNODE_LIST);
	assert_int_equal(cat->child->next->kind, YNODE_SCALAR);
	assert_true(ynode_get(root, "date")->plain);
	assert_false(ynode_get(root, "quoted")->plain);
	assert_int_equal(ynode_get(root, "date")->line, 6);
	ynode_free(root);
}

static void
test_errors_have_lines(void **state)
{
	char err[256];

	(void)state;
	assert_null(parse("a: 1\nb: [unclosed\n", err));
	assert_true(strchr(err, ':') != NULL);
	assert_null(parse("a: &x [1]\nb: *x\n", err));
	assert_non_null(strstr(err, "not supported"));
	assert_null(parse("- a\n- b\n", err));
	assert_non_null(strstr(err, "mapping"));
}

static void
test_depth_limit(void **state)
{
	char err[256], text[512];
	size_t i;

	(void)state;
	strcpy(text, "a: ");
	for (i = 0; i < 100; i++)
		strcat(text, "[");
	assert_null(parse(text, err));
}

static void
test_empty_and_bool(void **state)
{
	char err[256];
	struct ynode *root = parse("", err);
	bool b;

	(void)state;
	assert_non_null(root);
	assert_int_equal(root->kind, YNODE_MAP);
	assert_int_equal(ynode_count(root), 0);
	ynode_free(root);
	assert_int_equal(ynode_bool("False", &b), 0);
	assert_false(b);
	assert_int_equal(ynode_bool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(ynode_bool("maybe", &b), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_front_matter_shapes),
	    cmocka_unit_test(test_errors_have_lines),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_empty_and_bool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
