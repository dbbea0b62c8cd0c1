/* synthetic: the shape of the vulnerability tables, with made-up rows */
#define NO_SPECULATION		BIT(0)
#define NO_MELTDOWN		BIT(1)
/* a comment between flags */
#define NO_MDS			BIT(2)

#define VULNWL(vendor, family, model, whitelist)	\
	X86_MATCH_VENDOR_FAM_MODEL(vendor, family, model, whitelist)

static const __initconst struct x86_cpu_id cpu_vuln_whitelist[] = {
	VULNWL(ANY,	4, X86_MODEL_ANY,	NO_SPECULATION),
	VULNWL_INTEL(INTEL_ATOM_TEST,	NO_SPECULATION | NO_MDS),
	/* a comment in the table */
	VULNWL_AMD(X86_FAMILY_ANY,	NO_MELTDOWN | NO_MDS),
	{}
};

#define VULNBL_INTEL_STEPS(vfm, max_stepping, issues)		   \
	X86_MATCH_VFM_STEPS(vfm, X86_STEP_MIN, max_stepping, issues)

#define SRBDS		BIT(0)
/* another comment */
#define RETBLEED	BIT(1)

static const struct x86_cpu_id cpu_vuln_blacklist[] __initconst = {
	VULNBL_INTEL_STEPS(INTEL_TESTLAKE,	      0x5,	RETBLEED),
	VULNBL_INTEL_STEPS(INTEL_TESTLAKE,	     X86_STEP_MAX,	SRBDS | RETBLEED),
	VULNBL_AMD(0x17, RETBLEED),
	VULNBL_HYGON(0x18, RETBLEED),
	{}
};
