// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: /sys/kernel/vmclock/, one value per file.
 * Documented in Documentation/ABI/testing/sysfs-kernel-vmclock.
 */

#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>

#include "estimator.h"
#include "vmclock.h"

static struct kobject *vmclock_kobj;
static struct kobject *vmclock_sources_kobj;

static ssize_t status_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", vmclock_status_name(vmclock_status()));
}

static struct kobj_attribute status_attr = __ATTR_RO(status);

static ssize_t phc_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "ptp%d\n", vmclock_phc_index());
}

static struct kobj_attribute phc_attr = __ATTR_RO(phc);

/* Unified minus CLOCK_REALTIME now, ns; "unknown" without an estimate. */
static ssize_t offset_ns_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct system_time_snapshot sys;
	s64 t;
	u64 bound;

	if (vmclock_clock_at_snapshot(&sys, NULL, &t, &bound))
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%lld\n", t - ktime_to_ns(sys.systime));
}

static struct kobj_attribute offset_ns_attr = __ATTR_RO(offset_ns);

static ssize_t error_bound_ns_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	s64 t;
	u64 raw, bound;

	if (vmclock_clock_now(&raw, &t, &bound))
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%llu\n", bound);
}

static struct kobj_attribute error_bound_ns_attr = __ATTR_RO(error_bound_ns);

static ssize_t freq_ppb_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct est_snapshot snap;

	vmclock_clock_snapshot(&snap);
	return sysfs_emit(buf, "%lld\n", div_s64(snap.freq, EST_FREQ_PPB));
}

static struct kobj_attribute freq_ppb_attr = __ATTR_RO(freq_ppb);

/* Ids of the sources the unified clock uses now, space-separated. */
static ssize_t selected_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct vmclock_source_est est;
	struct vmclock_source *src;
	int len = 0;

	mutex_lock(&vmclock_lock);
	list_for_each_entry(src, &vmclock_sources, node)
		if (vmclock_clock_source_info(src, &est) && est.selected)
			len += sysfs_emit_at(buf, len, "%s%u", len ? " " : "",
					     src->id);
	mutex_unlock(&vmclock_lock);
	return len + sysfs_emit_at(buf, len, "\n");
}

static struct kobj_attribute selected_attr = __ATTR_RO(selected);

/*
 * The vmclock device followed for disruptions: its name and marker ("none"
 * without one), the disruptions it reported, and the TAI offset its page
 * gives ("unknown" when none).
 */
enum { HV_DEVICE, HV_MARKER, HV_DISRUPTIONS, HV_TAI };

static ssize_t hv_show(char *buf, int what)
{
	u64 marker, disruptions;
	char name[32];
	bool known;
	int tai;

	known = vmclock_hvpage_info(name, sizeof(name), &marker, &disruptions,
				    &tai);
	if (what == HV_DISRUPTIONS)
		return sysfs_emit(buf, "%llu\n", disruptions);
	if (what == HV_TAI)
		return tai == VMCLOCK_NO_TAI ? sysfs_emit(buf, "unknown\n") :
					       sysfs_emit(buf, "%d\n", tai);
	if (!known)
		return sysfs_emit(buf, "none\n");
	if (what == HV_MARKER)
		return sysfs_emit(buf, "%#llx\n", marker);
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t hv_device_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return hv_show(buf, HV_DEVICE);
}

static ssize_t hv_marker_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return hv_show(buf, HV_MARKER);
}

static ssize_t hv_disruptions_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return hv_show(buf, HV_DISRUPTIONS);
}

static struct kobj_attribute hv_device_attr = __ATTR_RO(hv_device);
static ssize_t tai_offset_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return hv_show(buf, HV_TAI);
}

static struct kobj_attribute hv_marker_attr = __ATTR_RO(hv_marker);
static struct kobj_attribute tai_offset_attr = __ATTR_RO(tai_offset);
static struct kobj_attribute hv_disruptions_attr = __ATTR_RO(hv_disruptions);

static struct attribute *vmclock_attrs[] = {
	&status_attr.attr,
	&phc_attr.attr,
	&offset_ns_attr.attr,
	&error_bound_ns_attr.attr,
	&freq_ppb_attr.attr,
	&selected_attr.attr,
	&hv_device_attr.attr,
	&hv_disruptions_attr.attr,
	&hv_marker_attr.attr,
	&tai_offset_attr.attr,
	NULL
};

static const struct attribute_group vmclock_attr_group = {
	.attrs = vmclock_attrs,
};

/* sources/<id>/: each file shows one field of the source. */

static struct vmclock_source *to_source(struct kobject *kobj)
{
	return container_of(kobj, struct vmclock_source, kobj);
}

#define VMCLOCK_SOURCE_ATTR(_name, _fmt, _expr)				\
static ssize_t src_##_name##_show(struct kobject *kobj,			\
				  struct kobj_attribute *attr, char *buf) \
{									\
	struct vmclock_source *src = to_source(kobj);			\
	struct vmclock_source_stats st;					\
									\
	vmclock_source_get_stats(src, &st);				\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute src_##_name##_attr =			\
	__ATTR(_name, 0444, src_##_name##_show, NULL)

VMCLOCK_SOURCE_ATTR(clock_name, "%s", src->clock_name);
VMCLOCK_SOURCE_ATTR(profile, "%s", src->profile->name);
VMCLOCK_SOURCE_ATTR(phc, "ptp%u", src->phc_index);
VMCLOCK_SOURCE_ATTR(state, "%s", vmclock_source_state_name(st.state));
VMCLOCK_SOURCE_ATTR(poll_ms, "%u", READ_ONCE(src->poll_ms));
VMCLOCK_SOURCE_ATTR(host_error_ns, "%llu", READ_ONCE(src->host_error_ns));
VMCLOCK_SOURCE_ATTR(weight, "%u", READ_ONCE(src->weight));
VMCLOCK_SOURCE_ATTR(enabled, "%d", READ_ONCE(src->enabled));
VMCLOCK_SOURCE_ATTR(reads, "%llu", st.reads);
VMCLOCK_SOURCE_ATTR(samples, "%llu", st.samples);
VMCLOCK_SOURCE_ATTR(errors, "%llu", st.errors);
VMCLOCK_SOURCE_ATTR(last_error, "%u", st.last_error);
VMCLOCK_SOURCE_ATTR(delay_ns, "%llu", st.delay_ns);
VMCLOCK_SOURCE_ATTR(delay_min_ns, "%llu", st.delay_min_ns);
VMCLOCK_SOURCE_ATTR(offset_ns, "%lld", st.offset_ns);
VMCLOCK_SOURCE_ATTR(read_method, "%s",
		    vmclock_read_method_name(READ_ONCE(src->method)));

static ssize_t src_read_note_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct vmclock_source *src = to_source(kobj);
	char note[sizeof(src->read_note)];

	vmclock_source_get_note(src, note, sizeof(note));
	return sysfs_emit(buf, "%s\n", note);
}

static struct kobj_attribute src_read_note_attr =
	__ATTR(read_note, 0444, src_read_note_show, NULL);

static ssize_t src_reported_error_ns_show(struct kobject *kobj,
					  struct kobj_attribute *attr, char *buf)
{
	struct vmclock_source_stats st;

	vmclock_source_get_stats(to_source(kobj), &st);
	if (st.reported_error_ns == VMCLOCK_NO_REPORT)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%llu\n", st.reported_error_ns);
}

static struct kobj_attribute src_reported_error_ns_attr =
	__ATTR(reported_error_ns, 0444, src_reported_error_ns_show, NULL);

/* What the estimator says of the source; "unknown" before it has a say. */
#define VMCLOCK_SOURCE_EST_ATTR(_name, _fmt, _expr, _known)		\
static ssize_t src_##_name##_show(struct kobject *kobj,			\
				  struct kobj_attribute *attr, char *buf) \
{									\
	struct vmclock_source_est est;					\
									\
	if (!vmclock_clock_source_info(to_source(kobj), &est) || !(_known)) \
		return sysfs_emit(buf, "unknown\n");			\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static struct kobj_attribute src_##_name##_attr =			\
	__ATTR(_name, 0444, src_##_name##_show, NULL)

VMCLOCK_SOURCE_EST_ATTR(freq_ppb, "%lld", est.freq_ppb, true);
VMCLOCK_SOURCE_EST_ATTR(jitter_ns, "%llu", est.jitter_ns, true);
VMCLOCK_SOURCE_EST_ATTR(error_bound_ns, "%llu", est.bound_ns,
			est.bound_ns != EST_BOUND_UNKNOWN);
VMCLOCK_SOURCE_EST_ATTR(selected, "%d", est.selected, true);
VMCLOCK_SOURCE_EST_ATTR(host_error_used_ns, "%llu", est.host_error_ns, true);

static struct attribute *vmclock_source_attrs[] = {
	&src_clock_name_attr.attr,
	&src_profile_attr.attr,
	&src_phc_attr.attr,
	&src_state_attr.attr,
	&src_poll_ms_attr.attr,
	&src_host_error_ns_attr.attr,
	&src_weight_attr.attr,
	&src_enabled_attr.attr,
	&src_reads_attr.attr,
	&src_samples_attr.attr,
	&src_errors_attr.attr,
	&src_last_error_attr.attr,
	&src_delay_ns_attr.attr,
	&src_delay_min_ns_attr.attr,
	&src_offset_ns_attr.attr,
	&src_read_method_attr.attr,
	&src_read_note_attr.attr,
	&src_reported_error_ns_attr.attr,
	&src_freq_ppb_attr.attr,
	&src_jitter_ns_attr.attr,
	&src_error_bound_ns_attr.attr,
	&src_selected_attr.attr,
	&src_host_error_used_ns_attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(vmclock_source);

static void vmclock_source_release(struct kobject *kobj)
{
	struct vmclock_source *src = to_source(kobj);

	mutex_destroy(&src->ctl);
	kfree(src);
}

static const struct kobj_type vmclock_source_ktype = {
	.release	= vmclock_source_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= vmclock_source_groups,
};

/* On failure the caller still owns a reference: kobject_put() frees src. */
int vmclock_sysfs_source_add(struct vmclock_source *src)
{
	return kobject_init_and_add(&src->kobj, &vmclock_source_ktype,
				    vmclock_sources_kobj, "%u", src->id);
}

int vmclock_sysfs_init(void)
{
	int err;

	vmclock_kobj = kobject_create_and_add("vmclock", kernel_kobj);
	if (!vmclock_kobj)
		return -ENOMEM;

	err = sysfs_create_group(vmclock_kobj, &vmclock_attr_group);
	if (err)
		goto err_put;

	err = -ENOMEM;
	vmclock_sources_kobj = kobject_create_and_add("sources", vmclock_kobj);
	if (!vmclock_sources_kobj)
		goto err_group;
	return 0;

err_group:
	sysfs_remove_group(vmclock_kobj, &vmclock_attr_group);
err_put:
	kobject_put(vmclock_kobj);
	return err;
}

void vmclock_sysfs_exit(void)
{
	kobject_put(vmclock_sources_kobj);
	sysfs_remove_group(vmclock_kobj, &vmclock_attr_group);
	kobject_put(vmclock_kobj);
}
