print("kdistill")
