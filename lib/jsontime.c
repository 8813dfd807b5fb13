/*
 * Times in JSON answers (jsontime.h).
 */
#include "config.h"

#include "jsontime.h"
#include "timeutil.h"

json_object *
json_time(int64_t ms)
{
	char buf[TIME_RFC3339_LEN];

	return json_object_new_string(time_format_rfc3339(ms, buf, sizeof(buf)));
}
