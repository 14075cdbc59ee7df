#include <stdio.h>

int
main(void)
{
	puts("안녕, Gemini");
	return 0;
}
