/* synthetic */
#define INTEL_FAM6_TESTLAKE		0x55
#define INTEL_FAM6_ATOM_TEST		0x1c
