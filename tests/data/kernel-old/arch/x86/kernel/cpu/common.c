/* synthetic */
#define NO_SPECULATION		BIT(0)
#define NO_MDS			BIT(1)

static const __initconst struct x86_cpu_id cpu_vuln_whitelist[] = {
	VULNWL_INTEL(ATOM_TEST,		NO_SPECULATION),
	{}
};

#define SRBDS		BIT(0)
#define RETBLEED	BIT(1)

static const struct x86_cpu_id cpu_vuln_blacklist[] __initconst = {
	VULNBL_INTEL_STEPPINGS(TESTLAKE,	X86_STEPPINGS(0x0, 0x5),	RETBLEED),
	VULNBL_INTEL_STEPPINGS(TESTLAKE,	X86_STEPPING_ANY,		SRBDS | RETBLEED),
	{}
};
