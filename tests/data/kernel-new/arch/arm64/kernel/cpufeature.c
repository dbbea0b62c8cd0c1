/* synthetic */
	static const struct midr_range kpti_safe_list[] = {
		MIDR_ALL_VERSIONS(MIDR_TEST_LITTLE),
		{ /* sentinel */ }
	};
