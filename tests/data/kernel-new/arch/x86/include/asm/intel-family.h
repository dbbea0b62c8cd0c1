/* synthetic */
#define IFM(_fam, _model)	VFM_MAKE(X86_VENDOR_INTEL, _fam, _model)
#define INTEL_ANY		IFM(X86_FAMILY_ANY, X86_MODEL_ANY)
#define INTEL_TESTLAKE		IFM(6, 0x55) /* a test model */
#define INTEL_TESTLAKE_L	IFM(6, 0x8e)
#define INTEL_ATOM_TEST		IFM(6, 0x1c)
