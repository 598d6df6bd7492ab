"""The register of issued documents and the 15% quota: issuing, archive import, baselines,
quota figures, the periodic report and merge candidates."""
